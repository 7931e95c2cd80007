using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm;

/// <summary>
/// The full-text indexes behind name search: SQLite FTS5 tables with the trigram tokenizer over
/// the folded names of contacts, companies and deals, kept in step by triggers. EF migrations
/// know nothing of virtual tables and eng/regen-migration.sh rebuilds the migration from the
/// model, so this SQL lives here and <see cref="StoreMigrator"/> applies it after every
/// migration, idempotently. A table rebuilt by a future migration loses its triggers; the next
/// start puts them back.
/// </summary>
internal static class SearchIndex
{
    /// <summary>An FTS5 index over one folded-name column of one table.</summary>
    public sealed record Spec(string Index, string Source, string Column);

    public static readonly Spec Contacts = new("ContactSearch", "Contacts", "SearchName");
    public static readonly Spec Companies = new("CompanySearch", "Companies", "NormalizedName");
    public static readonly Spec Deals = new("DealSearch", "Deals", "SearchName");

    private static readonly Spec[] Indexes = [Contacts, Companies, Deals];

    /// <summary>The index tables and the triggers that keep them current, for the migrator's "nothing to do" check.</summary>
    public static IEnumerable<string> Objects => Indexes.SelectMany(i =>
        new[] { i.Index, $"{i.Source}_{i.Index}_insert", $"{i.Source}_{i.Index}_delete", $"{i.Source}_{i.Index}_update" });

    /// <summary>Index tables that should exist and do not (a store migrated without StoreMigrator).</summary>
    public static async Task<List<string>> MissingAsync(CrmDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return [];
        var present = await db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table'").ToListAsync(ct);
        return Indexes.Select(i => i.Index).Except(present).ToList();
    }

    public static async Task EnsureAsync(CrmDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return;
        foreach (var (index, source, column) in Indexes)
        {
            var existed = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = {0}", index).SingleAsync(ct) > 0;
            // External content: the index stores only trigrams; rows are read from the source table.
#pragma warning disable EF1002 // identifiers come from the constant table above, never from input
            await db.Database.ExecuteSqlRawAsync($"""
                CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({column}, content='{source}', content_rowid='Id', tokenize='trigram');
                CREATE TRIGGER IF NOT EXISTS {source}_{index}_insert AFTER INSERT ON {source} BEGIN
                  INSERT INTO {index}(rowid, {column}) VALUES (new.Id, new.{column});
                END;
                CREATE TRIGGER IF NOT EXISTS {source}_{index}_delete AFTER DELETE ON {source} BEGIN
                  INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.Id, old.{column});
                END;
                CREATE TRIGGER IF NOT EXISTS {source}_{index}_update AFTER UPDATE OF {column} ON {source} BEGIN
                  INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.Id, old.{column});
                  INSERT INTO {index}(rowid, {column}) VALUES (new.Id, new.{column});
                END;
                """, ct);
            // Rows written before the index existed (an upgraded store) are indexed once.
            if (!existed) await db.Database.ExecuteSqlRawAsync($"INSERT INTO {index}({index}) VALUES ('rebuild');", ct);
#pragma warning restore EF1002
        }
    }
}

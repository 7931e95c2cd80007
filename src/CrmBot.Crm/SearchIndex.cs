using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm;

/// <summary>
/// The full-text indexes behind name search: SQLite FTS5 tables with the trigram tokenizer over
/// the folded names of contacts, companies and deals, kept in step by triggers. EF migrations
/// know nothing of virtual tables and eng/regen-migration.sh rebuilds the migration from the
/// model, so this SQL lives here and <see cref="StoreMigrator"/> applies it after every
/// migration, idempotently. A table rebuilt by a future migration loses its triggers; the next
/// start puts them back.
/// Contacts also have a word vocabulary (<see cref="Vocabulary"/>), for typos the trigrams miss.
/// </summary>
internal static class SearchIndex
{
    /// <summary>An FTS5 index over one folded-name column of one table, and optionally a word vocabulary of it.</summary>
    public sealed record Spec(string Index, string Source, string Column, Vocabulary? Words = null);

    /// <summary>
    /// The distinct words of the folded names, for finding a word within one typo without scoring
    /// every name: <c>Words</c> holds (word, row id) for every word of every name; <c>Keys</c> holds,
    /// once per distinct word, the word itself and each form of it with one letter left out ("smith" →
    /// "mith", "sith", …). Two words within one deletion, insertion, substitution or swap of each other
    /// share a key ("smtih" and "smith" both give "smih"), so a typed word's keys find its near words
    /// with a few B-tree lookups.
    /// </summary>
    public sealed record Vocabulary(string Words, string Keys);

    public static readonly Spec Contacts = new("ContactSearch", "Contacts", "SearchName", new("ContactWords", "ContactWordKeys"));
    public static readonly Spec Companies = new("CompanySearch", "Companies", "NormalizedName");
    public static readonly Spec Deals = new("DealSearch", "Deals", "SearchName");

    private static readonly Spec[] Indexes = [Contacts, Companies, Deals];

    /// <summary>Index tables that should exist and do not (a store migrated without StoreMigrator).</summary>
    public static async Task<List<string>> MissingAsync(CrmDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return [];
        var present = await db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table'").ToListAsync(ct);
        return Indexes.SelectMany(i => i.Words is { } v ? [i.Index, v.Words, v.Keys] : new[] { i.Index }).Except(present).ToList();
    }

    public static async Task EnsureAsync(CrmDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return;
        foreach (var (index, source, column, _) in Indexes)
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
        foreach (var spec in Indexes)
            if (spec.Words is not null) await EnsureVocabularyAsync(db, spec, ct);
    }

#pragma warning disable EF1002 // identifiers come from the constant table above, never from input
    private static async Task EnsureVocabularyAsync(CrmDbContext db, Spec spec, CancellationToken ct)
    {
        var (source, column, words, keys) = (spec.Source, spec.Column, spec.Words!.Words, spec.Words.Keys);
        // One transaction: a store is never left with the tables but only part of the words (the fill runs
        // only when the table is new), and another process starting at the same time waits, then finds them.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var existed = await db.Database.SqlQueryRaw<int>(
            "SELECT count(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = {0}", words).SingleAsync(ct) > 0;
        await db.Database.ExecuteSqlRawAsync($"""
            CREATE TABLE IF NOT EXISTS {words} (Word TEXT NOT NULL, Id INTEGER NOT NULL, PRIMARY KEY (Word, Id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS {keys} (Key TEXT NOT NULL, Word TEXT NOT NULL, PRIMARY KEY (Key, Word)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS IX_{keys}_Word ON {keys} (Word);
            CREATE TRIGGER IF NOT EXISTS {source}_{words}_insert AFTER INSERT ON {source} BEGIN
            {AddWords("new")}
            END;
            CREATE TRIGGER IF NOT EXISTS {source}_{words}_delete AFTER DELETE ON {source} BEGIN
            {RemoveWords("old")}
            END;
            CREATE TRIGGER IF NOT EXISTS {source}_{words}_update AFTER UPDATE OF {column} ON {source}
            WHEN old.{column} IS NOT new.{column} BEGIN
            {RemoveWords("old")}
            {AddWords("new")}
            END;
            """, ct);
        // Rows written before the vocabulary existed (an upgraded store) are added once.
        if (!existed)
            await db.Database.ExecuteSqlRawAsync($"""
                INSERT OR IGNORE INTO {words} (Word, Id)
                  WITH RECURSIVE {Split("Id", column, $"FROM {source}")}
                  SELECT word, id FROM split WHERE word <> '';
                INSERT OR IGNORE INTO {keys} (Key, Word)
                  WITH RECURSIVE {Deletions($"SELECT DISTINCT Word AS word FROM {words}")}
                  SELECT key, word FROM deletions;
                """, ct);
        await tx.CommitAsync(ct);

        // A name's words and, for a word not seen before (its own key missing), its keys.
        string AddWords(string row) => $"""
            INSERT OR IGNORE INTO {words} (Word, Id)
              WITH RECURSIVE {Split($"{row}.Id", $"{row}.{column}")}
              SELECT word, id FROM split WHERE word <> '';
            INSERT OR IGNORE INTO {keys} (Key, Word)
              WITH RECURSIVE {Split($"{row}.Id", $"{row}.{column}")},
              {Deletions($"SELECT DISTINCT word FROM split WHERE word <> '' AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE k.Key = split.word AND k.Word = split.word)")}
              SELECT key, word FROM deletions;
            """;

        // A name's words; the keys of a word no name holds any more go with it.
        string RemoveWords(string row) => $"""
            DELETE FROM {words} WHERE Id = {row}.Id AND Word IN (
              WITH RECURSIVE {Split($"{row}.Id", $"{row}.{column}")} SELECT word FROM split);
            DELETE FROM {keys} WHERE Word IN (
                WITH RECURSIVE {Split($"{row}.Id", $"{row}.{column}")} SELECT word FROM split)
              AND NOT EXISTS (SELECT 1 FROM {words} w WHERE w.Word = {keys}.Word);
            """;
    }
#pragma warning restore EF1002

    // split(id, word, rest): the space-separated words of each name, one row per word (and an empty
    // first row). Folded names have single spaces between words, so no empty words in between.
    private static string Split(string id, string name, string from = "") => $"""
        split(id, word, rest) AS (
          SELECT {id}, '', {name} || ' ' {from}
          UNION ALL
          SELECT id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest <> '')
        """;

    // deletions(key, word): each word (a select of a column named word) keyed by itself and by each
    // one-letter deletion; none for a one-letter word, as an empty key would tie every short word together.
    // SQLite's substr and length count characters, as CrmSearch's keys do.
    private static string Deletions(string wordsSelect) => $"""
        positions(word, i) AS (
          SELECT word, 0 FROM ({wordsSelect})
          UNION ALL
          SELECT word, i + 1 FROM positions WHERE i < length(word) AND length(word) > 1),
        deletions(key, word) AS (
          SELECT CASE i WHEN 0 THEN word ELSE substr(word, 1, i - 1) || substr(word, i + 1) END, word FROM positions)
        """;
}

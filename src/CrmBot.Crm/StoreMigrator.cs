using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm;

/// <summary>Applies migrations, the file-level settings and the search indexes; run at start-up and by the `migrate` verb.</summary>
public sealed class StoreMigrator(CrmDbContext db)
{
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        if (db.Database.IsSqlite())
        {
            // WAL is a property of the database file: readers never block the writer. The page size is one too, fixed
            // when the first page is written, so it is asked for first; an existing store keeps its own.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await db.Database.ExecuteSqlRawAsync(FileSettings, ct);
                if (await IsCurrentAsync(ct)) return;
            }
            finally { await db.Database.CloseConnectionAsync(); }
        }
        await db.Database.MigrateAsync(ct);
        await SearchIndex.EnsureAsync(db, ct);
    }

    /// <summary>
    /// 2 KiB pages rather than SQLite's 4 KiB: a commit writes each page it changed to the WAL whole, and a log turn
    /// changes about fourteen, mostly leaves of indexes keyed at random, where it adds one row. Half the bytes per page
    /// made that commit cheaper and log turns faster, with the follow-ups list no slower
    /// (docs/decisions/performance.md, finding 33); 1 KiB pages made the trees deeper and the inserts dearer. Changing an existing
    /// store's page size takes a VACUUM outside WAL mode, which the migrator does not do on its own.
    /// </summary>
    public const int PageSize = 2048;

    private static readonly string FileSettings = $"PRAGMA page_size={PageSize}; PRAGMA journal_mode=WAL;";

    /// <summary>
    /// The usual start: every migration is recorded as applied and the search indexes and their triggers exist, so there is
    /// nothing to do. Asked with two plain statements, because EF's Migrate() first builds its history
    /// table's own model and takes the migration lock, about a quarter of a second of a cold start.
    /// A history row is committed in the same transaction as its migration, so a listed id is applied.
    /// </summary>
    private async Task<bool> IsCurrentAsync(CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var objects = await ReadAsync(connection, "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger');", ct);
        if (!objects.Contains(HistoryTable) || !SearchIndex.Objects.All(objects.Contains)) return false;
        var applied = await ReadAsync(connection, $"SELECT MigrationId FROM \"{HistoryTable}\";", ct);
        return db.Database.GetMigrations().All(applied.Contains);
    }

    private const string HistoryTable = "__EFMigrationsHistory";

    private static async Task<HashSet<string>> ReadAsync(System.Data.Common.DbConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>Store status for /healthz: reachable, and no migration left to apply.</summary>
    public async Task<(bool Ok, string Detail)> CheckAsync(CancellationToken ct = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(ct)) return (false, "cannot connect");
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count > 0) return (false, $"{pending.Count} migration(s) pending");
            var missing = await SearchIndex.MissingAsync(db, ct);
            return missing.Count == 0 ? (true, "ok") : (false, $"search index missing: {string.Join(", ", missing)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (false, ex.GetType().Name);
        }
    }
}

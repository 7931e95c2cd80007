using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm;

/// <summary>Applies migrations, the file-level settings and the search indexes; run at start-up and by the `migrate` verb.</summary>
public sealed class StoreMigrator(CrmDbContext db)
{
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        if (db.Database.IsSqlite())
        {
            // WAL is a property of the database file: readers never block the writer.
            await db.Database.OpenConnectionAsync(ct);
            try { await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); }
            finally { await db.Database.CloseConnectionAsync(); }
        }
        await db.Database.MigrateAsync(ct);
        await SearchIndex.EnsureAsync(db, ct);
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

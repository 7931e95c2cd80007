using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmBot.Crm;

/// <summary>
/// Per-connection SQLite settings. WAL itself is persistent in the file (set at migration);
/// these must be set on every connection because SQLite forgets them. With <paramref name="autoCheckpointPages"/>,
/// the connection leaves checkpoints below that many WAL pages to someone else (<see cref="WalCheckpointer"/>).
/// </summary>
internal sealed class SqliteConnectionSetup(int? autoCheckpointPages) : DbConnectionInterceptor
{
    // synchronous=NORMAL is durable under WAL against process crashes; a committed write
    // survives. busy_timeout makes concurrent turns wait for the writer instead of failing.
    // secure_delete zeroes what is deleted or overwritten, so a copy of the file holds no
    // leftovers of cleared cells (survey answers, recovery payloads) in its free space.
    private readonly string Pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA secure_delete=ON;"
        + (autoCheckpointPages is { } pages ? $" PRAGMA wal_autocheckpoint={pages};" : "");

    // The settings live on the native connection, which the pool hands out again and again: EF opens
    // and closes the pooled connection around every query, so they are set once per native handle,
    // not once per query (that was a round trip per statement, ~10 per chat turn).
    private static readonly ConditionalWeakTable<object, object> Configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsConfigured(connection)) return;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
        MarkConfigured(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsConfigured(connection)) return;
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        MarkConfigured(connection);
    }

    private static bool IsConfigured(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && Configured.TryGetValue(handle, out _);

    private static void MarkConfigured(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) Configured.AddOrUpdate(handle, handle);
    }
}

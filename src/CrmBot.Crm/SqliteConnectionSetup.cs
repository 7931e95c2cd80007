using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmBot.Crm;

/// <summary>
/// Per-connection SQLite settings. WAL itself is persistent in the file (set at migration);
/// these must be set on every connection because SQLite forgets them.
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    // synchronous=NORMAL is durable under WAL against process crashes; a committed write
    // survives. busy_timeout makes concurrent turns wait for the writer instead of failing.
    private const string Pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

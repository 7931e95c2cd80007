using CrmBot.Crm.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrmBot.Crm;

/// <summary>
/// The service's WAL checkpoints, run from a thread of their own instead of inside chat turns.
/// Left to SQLite, the commit that takes the WAL past 1,000 pages copies them into the database file and
/// syncs it, on the turn's thread, while that turn's reply waits; and since under steady load the WAL rarely
/// starts over, the next commits checkpoint again. Here a pass every <see cref="Interval"/> copies what was
/// committed since the last one (PASSIVE: it never blocks a turn's reads or writes), and the service's own
/// connections checkpoint only past <see cref="TurnAutoCheckpointPages"/>, as a safety net. Log turns a second rose,
/// with their p99 where it was (docs/decisions/performance.md, finding 34). Durability is unchanged: a
/// commit is in the WAL before it is acknowledged, whoever copies it on later.
/// </summary>
public sealed class WalCheckpointer(DbContextOptions<CrmDbContext> options, ILogger<WalCheckpointer> logger) : BackgroundService
{
    /// <summary>
    /// Time between passes. Longer gave about as many turns a second but a worse p99, since a pass copies in one
    /// burst on the service's core; shorter gained less (finding 34).
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// The service's connections' own <c>wal_autocheckpoint</c> while this runs: high enough that a turn does not
    /// checkpoint while the passes keep up. At SQLite's 1,000 nothing was gained: under load the WAL seldom starts
    /// over, it stays past 1,000 pages, and commits went on checkpointing. Making it start over (a RESTART pass
    /// at 4,096 pages) held writers back and cost turns/s and p99.
    /// </summary>
    public const int TurnAutoCheckpointPages = 10_000;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // A thread of its own: each pass blocks in SQLite (copying and syncing) for milliseconds.
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        // A store over a connection the caller keeps (the tests' in-memory stores) has no file to checkpoint.
        if (RelationalOptionsExtension.Extract(options).ConnectionString is not { } connectionString) return;
        var failing = false;
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            if (!IsWal(connection)) return;
            while (!stoppingToken.WaitHandle.WaitOne(Interval))
            {
                try
                {
                    Pass(connection);
                    failing = false;
                }
                catch (SqliteException ex)
                {
                    // Said once per spell of failures, not 40 times a second. Meanwhile turns checkpoint past TurnAutoCheckpointPages.
                    if (!failing) logger.CheckpointFailed(ex.SqliteErrorCode, ex.SqliteExtendedErrorCode);
                    failing = true;
                }
            }
        }
        // The store could not be opened here: turns then checkpoint on their own, past TurnAutoCheckpointPages.
        catch (SqliteException ex) { logger.CheckpointFailed(ex.SqliteErrorCode, ex.SqliteExtendedErrorCode); }
    }

    /// <summary>One pass: the WAL's frames, and how many of them are now in the database file.</summary>
    internal static (long Frames, long Copied) Pass(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        reader.Read();
        // Columns: busy (another connection was checkpointing), frames in the WAL, frames copied.
        return (reader.GetInt64(1), reader.GetInt64(2));
    }

    private static bool IsWal(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return string.Equals(command.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase);
    }
}

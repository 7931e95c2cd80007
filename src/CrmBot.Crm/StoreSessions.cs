using System.Collections.Concurrent;
using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CrmBot.Crm;

/// <summary>
/// The service's DbContexts, each over a connection it keeps open, reused from one DI scope (one chat
/// turn) to the next. A new context per turn built EF's internal services again (6 % of a log turn), and
/// EF opened and closed the connection around every statement, which makes Microsoft.Data.Sqlite register
/// EF's SQL functions on the native connection each time (bench/README.md, sixth round). EF's own
/// DbContext pooling cannot help with the second: it disposes the connection whenever a context goes back.
/// A context comes back clean (nothing tracked, no transaction) or is disposed for real.
/// </summary>
public sealed class StoreSessions(DbContextOptions<CrmDbContext> options, TimeProvider clock) : IDisposable
{
    /// <summary>Idle contexts kept; more than this are disposed on return (each holds a connection and its page cache).</summary>
    public const int MaxIdle = 16;

    private readonly ConcurrentBag<CrmDbContext> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    /// <summary>An idle context, or a new one with its connection opened.</summary>
    public CrmDbContext Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var db))
        {
            Interlocked.Decrement(ref _idleCount);
            return db;
        }
        db = new CrmDbContext(options, clock) { Sessions = this };
        try
        {
            // Opened by the caller's side, so EF keeps it open until the context is really disposed.
            db.Database.OpenConnection();
            if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection sqlite) StatementCache.Attach(sqlite);
        }
        catch
        {
            db.Sessions = null;
            db.Dispose();
            throw;
        }
        return db;
    }

    /// <summary>Called by the context's Dispose: true when it was taken back and must stay alive.</summary>
    internal bool TryReturn(CrmDbContext db)
    {
        // A transaction still open means the scope ended mid-work (cancelled, failed): the real Dispose
        // rolls it back. A broken connection is not worth keeping either.
        if (_disposed || db.Database.CurrentTransaction is not null || db.Database.GetDbConnection().State != ConnectionState.Open)
            return false;
        var tracker = db.ChangeTracker;
        tracker.Clear();
        tracker.AutoDetectChangesEnabled = true;
        tracker.QueryTrackingBehavior = QueryTrackingBehavior.TrackAll;
        tracker.CascadeDeleteTiming = CascadeTiming.Immediate;
        tracker.DeleteOrphansTiming = CascadeTiming.Immediate;
        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            return false;
        }
        _idle.Add(db);
        // Disposed between the check and the add: take it back out so it is not left open.
        if (_disposed && _idle.TryTake(out var late)) DisposeForReal(late);
        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var db)) DisposeForReal(db);
    }

    private static void DisposeForReal(CrmDbContext db)
    {
        db.Sessions = null;
        db.Dispose();
    }
}

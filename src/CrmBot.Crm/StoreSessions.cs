using System.Collections.Concurrent;
using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CrmBot.Crm;

/// <summary>
/// The service's DbContexts, each over a connection it keeps open, reused from one DI scope (one chat
/// turn) to the next. A new context per turn built EF's internal services again, and
/// EF opened and closed the connection around every statement, which makes Microsoft.Data.Sqlite register
/// EF's SQL functions on the native connection each time (docs/decisions/performance.md, finding 19). EF's own
/// DbContext pooling cannot help with the second: it disposes the connection whenever a context goes back.
/// A context comes back clean (nothing tracked, no transaction) or is disposed for real.
/// At most <see cref="MaxSessions"/> exist at once, so their memory (each an open connection with its schema,
/// page cache and statements) stays bounded however many scopes are open: one per scope took peak RSS at
/// high concurrency over the memory target (finding 20). Scopes beyond that get a plain context, as before.
/// </summary>
public sealed class StoreSessions(DbContextOptions<CrmDbContext> options, TimeProvider clock) : IDisposable
{
    /// <summary>Contexts kept open at most, lent and idle together. One core runs a handful of turns at a time.</summary>
    public const int MaxSessions = 8;

    private readonly ConcurrentBag<CrmDbContext> _idle = [];
    private int _sessions;
    private volatile bool _disposed;

    /// <summary>An idle context; else a new one with its connection opened; else, at the limit, a plain one.</summary>
    public CrmDbContext Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var db)) return db;
        if (Interlocked.Increment(ref _sessions) > MaxSessions)
        {
            Interlocked.Decrement(ref _sessions);
            return new CrmDbContext(options, clock);
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
            DisposeForReal(db);
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
        {
            Forget(db);
            return false;
        }
        // What the turn left deferred and uncommitted was given up with it (a failed turn's delivery id, say).
        db.Deferred = null;
        db.ReadRows.Clear();
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.WhenNeeded;
        var tracker = db.ChangeTracker;
        tracker.Clear();
        tracker.AutoDetectChangesEnabled = true;
        tracker.QueryTrackingBehavior = QueryTrackingBehavior.TrackAll;
        tracker.CascadeDeleteTiming = CascadeTiming.Immediate;
        tracker.DeleteOrphansTiming = CascadeTiming.Immediate;
        _idle.Add(db);
        // Disposed between the check and the add: take it back out so it is not left open.
        if (_disposed && _idle.TryTake(out var late)) DisposeForReal(late);
        return true;
    }

    /// <summary>A session's context that is going for good: it no longer counts, and its Dispose is the real one.</summary>
    private void Forget(CrmDbContext db)
    {
        db.Sessions = null;
        Interlocked.Decrement(ref _sessions);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var db)) DisposeForReal(db);
    }

    private void DisposeForReal(CrmDbContext db)
    {
        Forget(db);
        db.Dispose();
    }
}

using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmBot.Crm;

/// <summary>
/// Small writes of a chat turn that need no commit of their own (the delivery id that dedupes the turn, the
/// member's LastSeenAt) ride along with the turn's next commit, or are committed together at its end
/// (<see cref="CommitAsync"/>). A commit is a WAL append, and it makes every other connection drop its page
/// cache. A log turn made three and now makes one (docs/decisions/performance.md, finding 27).
/// Only a context whose turn has begun (<see cref="Begin"/>) defers. For any other, <see cref="TryDefer"/>
/// says no and the caller writes at once, as before. A write that must change a row (the dedupe insert)
/// fails the commit it rides with, rolling back the turn's other writes, when it changes none.
/// </summary>
public sealed class DeferredWrites
{
    private sealed record Write(string Sql, object?[] Values, string? ConflictMessage);

    private readonly List<Write> _pending = [];
    // How many of _pending the commit under way has run; they are dropped once it succeeds.
    private int _running;

    public int Count => _pending.Count;

    /// <summary>
    /// The turn carries an anonymous survey answer: it leaves nothing that names its member in the store
    /// (LastSeenAt is not moved), so the answer's commit holds nobody's ids.
    /// </summary>
    public bool Unattributed { get; set; }

    /// <summary>
    /// From now until the context goes back to its pool, <paramref name="db"/> defers what it may. Its SaveChanges
    /// then always commits a transaction, even for one statement, so that the deferred writes can go with it.
    /// </summary>
    public static DeferredWrites Begin(CrmDbContext db)
    {
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        return db.Deferred = new DeferredWrites();
    }

    /// <summary>
    /// Queues <paramref name="sql"/> for <paramref name="db"/>'s next commit when its turn defers writes. With
    /// <paramref name="conflictMessage"/>, a run that changes no row fails that commit with this message.
    /// </summary>
    public static bool TryDefer(CrmDbContext db, FormattableString sql, string? conflictMessage = null)
    {
        if (db.Deferred is not { } deferred) return false;
        var names = Enumerable.Range(0, sql.ArgumentCount).Select(i => (object)("@p" + i)).ToArray();
        deferred._pending.Add(new Write(string.Format(CultureInfo.InvariantCulture, sql.Format, names), sql.GetArguments(), conflictMessage));
        return true;
    }

    /// <summary>Commits what no commit of the turn has taken along yet: one transaction, none when nothing waits.</summary>
    public static async Task CommitAsync(CrmDbContext db, CancellationToken ct)
    {
        if (db.Deferred is not { Count: > 0 } || db.Database.CurrentTransaction is not null) return;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await transaction.CommitAsync(ct);   // the interceptor runs the writes just before the COMMIT
    }

    private void Run(DbTransaction transaction)
    {
        _running = 0;
        foreach (var write in _pending)
        {
            using var command = StatementCache.CreateCommand(transaction.Connection!, transaction, write.Sql, write.Values);
            Check(write, command.ExecuteNonQuery());
            _running++;
        }
    }

    private async Task RunAsync(DbTransaction transaction, CancellationToken ct)
    {
        _running = 0;
        foreach (var write in _pending)
        {
            await using var command = StatementCache.CreateCommand(transaction.Connection!, transaction, write.Sql, write.Values);
            Check(write, await command.ExecuteNonQueryAsync(ct));
            _running++;
        }
    }

    private void Check(Write write, int changed)
    {
        if (changed > 0 || write.ConflictMessage is null) return;
        _running = 0;
        throw new DeferredWriteConflictException(write.ConflictMessage);
    }

    private void Committed()
    {
        _pending.RemoveRange(0, _running);
        _running = 0;
    }

    /// <summary>Runs a context's deferred writes inside each transaction it commits.</summary>
    internal sealed class Interceptor : DbTransactionInterceptor
    {
        private static DeferredWrites? Of(TransactionEventData data) => (data.Context as CrmDbContext)?.Deferred is { Count: > 0 } d ? d : null;

        public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        {
            Of(eventData)?.Run(transaction);
            return result;
        }

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Of(eventData) is { } deferred) await deferred.RunAsync(transaction, cancellationToken);
            return result;
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Of(eventData)?.Committed();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Of(eventData)?.Committed();
            return Task.CompletedTask;
        }

        // A failed or rolled-back commit undid the writes it ran: they wait for the next one.
        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Reset(eventData);

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Reset(eventData);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Reset(eventData);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Reset(eventData);
            return Task.CompletedTask;
        }

        private static void Reset(TransactionEventData data)
        {
            if (Of(data) is { } deferred) deferred._running = 0;
        }
    }
}

/// <summary>A deferred write that had to change a row changed none: the commit it rode with was not made.</summary>
public sealed class DeferredWriteConflictException(string message) : Exception(message);

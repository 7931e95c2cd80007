using System.Collections.Concurrent;
using CrmBot.Crm;
using CrmBot.Crm.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Conversations.Pipeline;

/// <summary>
/// Runs every channel's turns the one way (the role an SDK's adapter plays): a concurrency slot, a DI scope, the
/// unit of work (<see cref="DeferredWrites"/>: the turn's writes and its delivery record in one commit),
/// deduplication of redeliveries (<see cref="InboundDeliveries"/>), the engine, errors, and acknowledgement
/// timing; then the channel's delivery of the outcome, outside the slot. It also redoes acknowledged work a
/// dead process left unfinished (<see cref="IRedoableChannel"/>) and prunes old delivery ids.
/// A turn's replies are delivered after it has given back its slot and its scope (with the scope's store
/// session): posting a reply waits on the platform's servers, and a slot held through that wait limited turns
/// per second by the platform's latency instead of by our CPU, while each held its store connection.
/// On shutdown, running turns are awaited, and cancelled only once the host's shutdown timeout has passed.
/// </summary>
public sealed class TurnPipeline(
    IServiceScopeFactory scopes, IServiceProvider services, IOptions<PipelineOptions> options, TimeProvider clock,
    ILogger<TurnPipeline> log) : IHostedService
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentTurns, options.Value.MaxConcurrentTurns);
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    // Cancelled when the host stops waiting for running turns, not when it starts stopping: a reply being
    // posted when shutdown begins is owed, and cancelling it then would drop it.
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopSweeping = new();
    private Task _sweeper = Task.CompletedTask;

    /// <summary>This instance as the lease owner of stored work: its name, then what tells this process from earlier ones.</summary>
    public string Owner { get; } = $"{InstanceOf(options.Value)}/{Guid.NewGuid():N}";

    /// <summary>
    /// The configured stable name, or one of this process alone. The latter has a ':' so that it never starts with
    /// "{a configured name}/": a named instance takes over only its own earlier processes' work.
    /// </summary>
    private static string InstanceOf(PipelineOptions o) =>
        string.IsNullOrWhiteSpace(o.InstanceName) ? $"{Environment.MachineName}:{Environment.ProcessId}" : o.InstanceName;

    /// <summary>Leases of this prefix belong to an earlier process of this instance (null: no name was configured, none do).</summary>
    private readonly string? _takeOverPrefix = string.IsNullOrWhiteSpace(options.Value.InstanceName) ? null : options.Value.InstanceName + "/";

    public TimeSpan WorkLease => options.Value.WorkLease;

    /// <summary>
    /// Runs <paramref name="work"/> in a slot, a new scope and a unit of work, unless <paramref name="inbound"/> is a
    /// redelivery; then <paramref name="deliver"/> with its outcome in a scope of its own, outside the slot.
    /// With an <paramref name="acknowledgeAfter"/> window: Busy when no slot frees up within it (nothing started),
    /// and with <paramref name="mayContinueInBackground"/> the turn is left to finish once the window has passed,
    /// stored first (<see cref="InboundTurn.Redo"/>) so that a crash does not lose it. Without a window it waits.
    /// A failed turn throws here (it is logged once, by the pipeline).
    /// </summary>
    public async Task<(TurnStatus Status, T? Result)> RunAsync<TOutcome, T>(
        InboundTurn inbound,
        Func<IServiceProvider, CancellationToken, Task<TOutcome>> work,
        Func<IServiceProvider, TurnOutcome<TOutcome>, CancellationToken, Task<T>> deliver,
        TimeSpan? acknowledgeAfter, bool mayContinueInBackground, CancellationToken requestAborted)
    {
        if (acknowledgeAfter is { } window)
        {
            if (!await _slots.WaitAsync(window, requestAborted)) return (TurnStatus.Busy, default);
        }
        else await _slots.WaitAsync(requestAborted);

        // Work that may outlive its request gets its own scopes (the request's are disposed with the request) and
        // the pipeline's token rather than the request's. A caller that waits for the turn (a Slack worker, the
        // terminal) may also cut it short with its own token.
        var state = new TurnState(inbound.Accepted);
        var linked = acknowledgeAfter is null && requestAborted.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, requestAborted) : null;
        var abort = linked?.Token ?? _abort.Token;
        var task = Task.Run(async () =>
        {
            // The turn's span parents its stages' spans (recognize, reads, commit, render, send).
            using var timing = CrmBotTelemetry.StartTurn(inbound.Channel);
            try
            {
                TurnOutcome<TOutcome> outcome;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    outcome = await TurnAsync(scope.ServiceProvider, inbound, state, work, abort);
                }
                finally
                {
                    _slots.Release();
                }
                await using var delivery = scopes.CreateAsyncScope();
                return await deliver(delivery.ServiceProvider, outcome, abort);
            }
            finally
            {
                linked?.Dispose();
            }
        }, CancellationToken.None);
        Track(task, inbound);

        if (acknowledgeAfter is { } ack && mayContinueInBackground)
        {
            // WaitAsync drops its timer when the turn finishes; a Task.Delay per turn stayed armed for the
            // whole window, thousands of live timers under load.
            try
            {
                return (TurnStatus.Completed, await task.WaitAsync(ack, CancellationToken.None));
            }
            catch (TimeoutException) when (!task.IsCompleted)
            {
                await StoreForRedoAsync(inbound, state);
                Log.TurnContinuesInBackground(log, inbound.Channel, inbound.DeliveryId, ack);
                return (TurnStatus.ContinuingInBackground, default);
            }
        }
        return (TurnStatus.Completed, await task);
    }

    /// <summary>Whether a turn's delivery is stored for redoing (then a failure closes it, an abandoned turn frees it).</summary>
    private sealed class TurnState(bool stored)
    {
        public volatile bool Stored = stored;
    }

    private async Task<TurnOutcome<TOutcome>> TurnAsync<TOutcome>(IServiceProvider services, InboundTurn inbound, TurnState state,
        Func<IServiceProvider, CancellationToken, Task<TOutcome>> work, CancellationToken ct)
    {
        var db = services.GetRequiredService<CrmDbContext>();
        DeferredWrites.Begin(db).Unattributed = inbound.Anonymous;
        var id = inbound.Anonymous ? null : inbound.DeliveryId;
        if (id is null) return await WorkAsync(services, db, work, ct);

        var deliveries = services.GetRequiredService<InboundDeliveries>();
        if (inbound.Accepted) deliveries.DeferDoneMark(inbound.Channel, id, Owner);
        else if (!await deliveries.TryBeginTurnAsync(inbound.Channel, id, Owner, ct))
        {
            Log.Redelivery(log, inbound.Channel, id);
            return new(true, default);
        }
        try
        {
            return await WorkAsync(services, db, work, ct);
        }
        catch (DeferredWriteConflictException)
        {
            // Another instance recorded (or took over) this delivery between our look and our commit; nothing of
            // ours was committed.
            Log.Redelivery(log, inbound.Channel, id);
            return new(true, default);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cut short by shutdown: stored work is freed for the next start at once; other work is forgotten,
            // so the platform's retry gets in.
            await SettleAsync(deliveries, inbound.Channel, id, state, failed: false);
            throw;
        }
        catch
        {
            // Nothing of the turn was committed (the engine writes a turn in one transaction), but its replies may
            // have gone out: stored work is closed, not redone; other work is forgotten so the platform's retry gets in.
            await SettleAsync(deliveries, inbound.Channel, id, state, failed: true);
            throw;
        }
        finally
        {
            deliveries.EndTurn(inbound.Channel, id);
        }
    }

    private static async Task<TurnOutcome<TOutcome>> WorkAsync<TOutcome>(IServiceProvider services, CrmDbContext db,
        Func<IServiceProvider, CancellationToken, Task<TOutcome>> work, CancellationToken ct)
    {
        var value = await work(services, ct);
        // Whatever no commit of the turn took along (its delivery record, when the turn wrote nothing).
        await DeferredWrites.CommitAsync(db, ct);
        return new(false, value);
    }

    private async Task SettleAsync(InboundDeliveries deliveries, string channel, string id, TurnState state, bool failed)
    {
        try
        {
            // Not under the turn's token: the outcome must reach the store even when shutdown cut the turn short.
            if (!state.Stored) await deliveries.ForgetAsync(channel, id, CancellationToken.None);
            else if (failed) await deliveries.CompleteAsync(channel, id, CancellationToken.None);
            else await deliveries.ReleaseAsync(channel, id, Owner, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease runs out and the work is redone: better twice than lost.
            Log.SettleFailed(log, ex, channel, id);
        }
    }

    /// <summary>The turn is acknowledged before it is done: its payload goes into its delivery record, leased to us.</summary>
    private async Task StoreForRedoAsync(InboundTurn inbound, TurnState state)
    {
        if (inbound.Redo is null || inbound.DeliveryId is not { } id || inbound.Anonymous || state.Stored) return;
        var redo = inbound.Redo();
        state.Stored = true;
        await using var scope = scopes.CreateAsyncScope();
        // Changes nothing when the turn has committed meanwhile: its record is there, done.
        await scope.ServiceProvider.GetRequiredService<InboundDeliveries>()
            .TryAcceptAsync(inbound.Channel, id, redo.Kind, redo.PayloadJson, Owner, options.Value.WorkLease);
    }

    private void Track(Task task, InboundTurn inbound)
    {
        _running[task] = true;
        _ = task.ContinueWith(t =>
        {
            _running.TryRemove(t, out _);
            if (t.Exception is { } ex) Log.TurnFailed(log, ex.GetBaseException(), inbound.Channel, inbound.Anonymous ? null : inbound.DeliveryId);
            else if (t.IsCanceled) Log.TurnAbandoned(log, inbound.Channel, inbound.Anonymous ? null : inbound.DeliveryId);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The first sweep runs before any request is served, so work left over goes first.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(cancellationToken);
        _sweeper = Task.Run(SweepLoopAsync, CancellationToken.None);
    }

    /// <summary>Lets acknowledged turns finish (their replies are owed) within the host's shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stopSweeping.IsCancellationRequested)
        {
            await _stopSweeping.CancelAsync();
            await _sweeper;
        }
        var pending = _running.Keys.ToArray();
        if (pending.Length == 0) return;
        await using var timeout = cancellationToken.Register(_abort.Cancel);
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested || pending.Any(t => t.IsFaulted || t.IsCanceled))
        {
            // Failures and abandoned turns were logged as they happened; a timeout means the host is done waiting.
        }
    }

    private async Task SweepLoopAsync()
    {
        while (!_stopSweeping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.RecoveryInterval, clock, _stopSweeping.Token);
                await SweepAsync(_stopSweeping.Token);
            }
            catch (OperationCanceledException) when (_stopSweeping.IsCancellationRequested) { }
        }
    }

    /// <summary>
    /// Claims stored work no live instance holds and hands it to its channel. With a configured instance name, that
    /// includes work leased to an earlier process of this same instance, whatever its lease: that process is gone (no
    /// two live instances share a name). What does not fit into the channel's batch at start-up follows at the next sweeps.
    /// </summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var deliveries = scope.ServiceProvider.GetRequiredService<InboundDeliveries>();
            var o = options.Value;
            // Resolved here, not injected: the channels run their turns through this pipeline.
            foreach (var channel in services.GetServices<IRedoableChannel>())
            {
                var claim = await deliveries.ClaimPendingAsync(channel.Channel, Owner, Math.Max(1, channel.ClaimBatch), o.WorkLease, o.MaxAttempts,
                    _takeOverPrefix, ct);
                foreach (var id in claim.GivenUp) Log.WorkGivenUp(log, channel.Channel, id, o.MaxAttempts);
                foreach (var pending in claim.Claimed)
                {
                    switch (channel.TryRedo(pending))
                    {
                        case RedoStart.Started:
                            Log.WorkRecovered(log, channel.Channel, pending.Kind, pending.DeliveryId);
                            break;
                        case RedoStart.Unreadable:
                            Log.WorkGivenUp(log, channel.Channel, pending.DeliveryId, 0);
                            await deliveries.CompleteAsync(channel.Channel, pending.DeliveryId, ct);
                            break;
                        default:
                            await deliveries.ReleaseAsync(channel.Channel, pending.DeliveryId, Owner, ct);
                            break;
                    }
                }
            }
            await deliveries.PruneAsync(o.DeliveryRetention, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.SweepFailed(log, ex);
        }
    }
}

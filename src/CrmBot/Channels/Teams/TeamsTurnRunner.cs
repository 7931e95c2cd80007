using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Teams;

/// <summary>
/// Runs turns in their own DI scope, at most Bot:MaxConcurrentTurns at once. A request waits for its turn
/// up to Bot:AcknowledgeAfter; a turn that takes longer is left to finish in the background (Teams
/// redelivers what it does not get an answer for within ~15 s). On shutdown, running turns are awaited, and
/// cancelled only once the host's shutdown timeout has passed.
/// A turn's replies are sent after it has given back its slot and its scope (with the scope's store
/// session): posting a reply waits on Teams' servers, and a slot held through that wait limited turns
/// per second by the Connector's latency instead of by our CPU, while each held its store connection.
/// </summary>
public sealed class TeamsTurnRunner(
    IServiceScopeFactory scopes, IOptions<BotOptions> options, ILogger<TeamsTurnRunner> log)
    : IHostedService
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentTurns, options.Value.MaxConcurrentTurns);
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    // Cancelled when the host stops waiting for running turns, not when it starts stopping: a reply being
    // posted when shutdown begins is owed, and cancelling it then would drop it.
    private readonly CancellationTokenSource _abort = new();

    public enum Status { Completed, ContinuingInBackground, Busy }

    /// <summary>
    /// Starts <paramref name="turn"/> in a slot and a new scope, then <paramref name="deliver"/> with its
    /// outcome in a scope of its own, outside the slot. With <paramref name="mayContinueInBackground"/>,
    /// returns once both are done or the acknowledgement window has passed, whichever comes first; otherwise
    /// waits for the result. Busy when no slot freed up within the window (nothing was started).
    /// </summary>
    public async Task<(Status Status, T? Result)> RunAsync<TOutcome, T>(
        Func<IServiceProvider, CancellationToken, Task<TOutcome>> turn,
        Func<IServiceProvider, TOutcome, CancellationToken, Task<T>> deliver,
        bool mayContinueInBackground, CancellationToken requestAborted)
    {
        var window = options.Value.AcknowledgeAfter;
        if (!await _slots.WaitAsync(window, requestAborted)) return (Status.Busy, default);

        // The work outlives the request, so it gets its own scopes (the request's are disposed with the
        // request) and the runner's token rather than the request's.
        var abort = _abort.Token;
        var task = Task.Run(async () =>
        {
            TOutcome outcome;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                outcome = await turn(scope.ServiceProvider, abort);
            }
            finally
            {
                _slots.Release();
            }
            await using var delivery = scopes.CreateAsyncScope();
            return await deliver(delivery.ServiceProvider, outcome, abort);
        }, CancellationToken.None);
        Track(task);

        if (mayContinueInBackground)
        {
            // WaitAsync drops its timer when the turn finishes; a Task.Delay per turn stayed armed for the
            // whole window, thousands of live timers under load.
            try
            {
                return (Status.Completed, await task.WaitAsync(window, CancellationToken.None));
            }
            catch (TimeoutException) when (!task.IsCompleted)
            {
                Log.TurnContinuesInBackground(log, window);
                return (Status.ContinuingInBackground, default);
            }
        }
        return (Status.Completed, await task);
    }

    private void Track(Task task)
    {
        _running[task] = true;
        _ = task.ContinueWith(t =>
        {
            _running.TryRemove(t, out _);
            if (t.Exception is { } ex) Log.TurnFailed(log, ex.GetBaseException());
            else if (t.IsCanceled) Log.TurnAbandoned(log);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Lets acknowledged turns finish (their replies are owed) within the host's shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
}

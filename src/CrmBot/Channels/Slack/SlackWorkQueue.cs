using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>One piece of work acknowledged to Slack and still to be done.</summary>
/// <param name="Kind">"event", "command", … (stored with the payload, so recovery can rebuild it).</param>
/// <param name="Id">The delivery id under which it is stored in <see cref="InboundDeliveries"/>.</param>
internal sealed record SlackWork(string Kind, string Id, Func<SlackInbox, CancellationToken, Task> RunAsync)
{
    public const string Event = "event", Command = "command", BlockActions = "block_actions",
        MessageAction = "message_action", ViewSubmission = "view_submission",
        // Never stored, so never rebuilt by FromStored: a survey answer lives in memory only.
        AnswerSubmission = "answer_submission";

    /// <summary>
    /// Rebuilds work from what was stored before the 200. <paramref name="answer"/> is the HTTP
    /// response a modal submission waits for; recovered submissions get one already answered, so
    /// their replies are posted.
    /// </summary>
    public static SlackWork? FromStored(string kind, string id, string json, TaskCompletionSource<JsonObject?>? answer = null)
    {
        if (kind == Command)
            return JsonSerializer.Deserialize<SlashCommand>(json) is { } slash
                ? new SlackWork(kind, id, (inbox, ct) => inbox.HandleCommandAsync(slash, ct)) : null;
        if (JsonNode.Parse(json) is not JsonObject payload) return null;
        return kind switch
        {
            Event => new SlackWork(kind, id, (inbox, ct) => inbox.HandleEventAsync(payload, ct)),
            BlockActions => new SlackWork(kind, id, (inbox, ct) => inbox.HandleBlockActionsAsync(payload, ct)),
            MessageAction => new SlackWork(kind, id, (inbox, ct) => inbox.HandleMessageActionAsync(payload, ct)),
            ViewSubmission => new SlackWork(kind, id, (inbox, ct) => inbox.HandleViewSubmissionAsync(payload, answer ?? Answered(), ct)),
            _ => null,
        };
    }

    private static TaskCompletionSource<JsonObject?> Answered()
    {
        var done = new TaskCompletionSource<JsonObject?>();
        done.SetResult(null);
        return done;
    }
}

/// <summary>
/// Slack wants an answer within 3 seconds, so endpoints store the request (InboundDeliveries), acknowledge,
/// and queue the work here: the fast path for work this process acknowledged. What a dead process left
/// behind is found again in the store by <see cref="SlackWorker"/>.
/// Bounded: when full, the endpoint refuses (503) instead of acknowledging work it cannot do.
/// </summary>
internal sealed class SlackWorkQueue(IOptions<SlackOptions> options)
{
    private readonly Channel<SlackWork> _channel = Channel.CreateBounded<SlackWork>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleWriter = false, SingleReader = false });

    /// <summary>This instance, as lease owner of the stored work it is doing.</summary>
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public bool TryEnqueue(SlackWork work) => _channel.Writer.TryWrite(work);

    internal ChannelReader<SlackWork> Reader => _channel.Reader;

    internal void Complete() => _channel.Writer.TryComplete();
}

/// <summary>
/// Works the queue with a few parallel workers, each item in its own DI scope (its own DbContext),
/// and marks the stored delivery done after it. Work that fails is released and tried again (up to
/// <see cref="SlackOptions.MaxAttempts"/>). A sweep at start-up and every <see cref="SlackOptions.RecoveryInterval"/>
/// claims stored work no live instance holds (this one died after the 200, or another instance did)
/// and prunes old delivery ids. On shutdown the queue is closed and what was acknowledged is still
/// worked off (within the host's shutdown timeout); what is not is released for the next start.
/// </summary>
internal sealed class SlackWorker(SlackWorkQueue queue, IServiceScopeFactory scopes, IOptions<SlackOptions> options,
    TimeProvider clock, ILogger<SlackWorker> logger) : IHostedService
{
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopSweeping = new();
    private Task[] _workers = [];
    private Task _sweeper = Task.CompletedTask;
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first sweep runs before any request is served, so left-over work goes first.
        await SweepAsync(cancellationToken);
        _workers = Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
        _sweeper = Task.Run(SweepLoopAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (WebApplicationFactory: on StopAsync and again on dispose).
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _stopSweeping.CancelAsync();
        await _sweeper;
        queue.Complete();
        // Past the host's shutdown timeout, work still running is cancelled (and logged as abandoned).
        await using (cancellationToken.Register(_abort.Cancel))
            await Task.WhenAll(_workers);
        _abort.Dispose();
        _stopSweeping.Dispose();
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

    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var deliveries = scope.ServiceProvider.GetRequiredService<InboundDeliveries>();
            var o = options.Value;
            var claim = await deliveries.ClaimPendingAsync(ChannelIds.Slack, queue.Owner, Math.Max(1, o.QueueCapacity / 2),
                o.WorkLease, o.MaxAttempts, ct);
            foreach (var id in claim.GivenUp) Log.WorkGivenUp(logger, id, o.MaxAttempts);
            foreach (var pending in claim.Claimed)
            {
                var work = SlackWork.FromStored(pending.Kind, pending.DeliveryId, pending.PayloadJson);
                if (work is null)
                {
                    Log.WorkGivenUp(logger, pending.DeliveryId, 0);
                    await deliveries.CompleteAsync(ChannelIds.Slack, pending.DeliveryId, ct);
                }
                else if (queue.TryEnqueue(work))
                    Log.WorkRecovered(logger, pending.Kind, pending.DeliveryId);
                else
                    await deliveries.ReleaseAsync(ChannelIds.Slack, pending.DeliveryId, queue.Owner, ct);
            }
            await deliveries.PruneAsync(o.DeliveryRetention, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.SweepFailed(logger, ex);
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var work in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            await using var scope = scopes.CreateAsyncScope();
            var deliveries = scope.ServiceProvider.GetRequiredService<InboundDeliveries>();
            // Finished or failed, the row is closed: work that threw may already have written (the
            // engine commits before replies are posted), so running it again could log a call twice.
            // Only work that never finished (a crash, or cut short by shutdown) is redone.
            var done = false;
            try
            {
                await work.RunAsync(scope.ServiceProvider.GetRequiredService<SlackInbox>(), _abort.Token);
                done = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_abort.IsCancellationRequested)
            {
                Log.WorkFailed(logger, ex, work.Kind, work.Id);
                done = true;
            }
            catch (OperationCanceledException)
            {
                Log.WorkAbandoned(logger, work.Kind, work.Id);
            }

            try
            {
                // Not under _abort: the outcome must reach the store even when shutdown cut the work short.
                if (done) await deliveries.CompleteAsync(ChannelIds.Slack, work.Id, CancellationToken.None);
                else await deliveries.ReleaseAsync(ChannelIds.Slack, work.Id, queue.Owner, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The lease runs out and the work is redone: better twice than lost.
                Log.MarkFailed(logger, ex, work.Kind, work.Id);
            }
        }
    }
}

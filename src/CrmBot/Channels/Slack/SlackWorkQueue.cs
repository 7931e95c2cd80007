using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CrmBot.Conversations.Pipeline;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>One piece of work acknowledged to Slack and still to be done.</summary>
/// <param name="Kind">"event", "command", … (stored with the payload, so recovery can rebuild it).</param>
/// <param name="Id">The delivery id under which it is stored in <see cref="InboundDeliveries"/>.</param>
internal sealed record SlackWork(string Kind, string Id, Func<SlackInbox, CancellationToken, Task> RunAsync)
{
    /// <summary>
    /// As the pipeline runs it: stored before the 200 and leased to this instance, except a survey answer, which is
    /// anonymous and never stored.
    /// </summary>
    public InboundTurn Inbound => Kind == AnswerSubmission
        ? new InboundTurn(ChannelIds.Slack, null, Anonymous: true)
        : new InboundTurn(ChannelIds.Slack, Id, Accepted: true);

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
/// behind is claimed again from the store by the <see cref="TurnPipeline"/>'s sweep and queued here too.
/// Bounded: when full, the endpoint refuses (503) instead of acknowledging work it cannot do.
/// </summary>
internal sealed class SlackWorkQueue(IOptions<SlackOptions> options, TurnPipeline pipeline) : IRedoableChannel
{
    private readonly Channel<SlackWork> _channel = Channel.CreateBounded<SlackWork>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleWriter = false, SingleReader = false });

    /// <summary>This instance, as lease owner of the stored work it is doing.</summary>
    public string Owner => pipeline.Owner;

    public TimeSpan WorkLease => pipeline.WorkLease;

    public bool TryEnqueue(SlackWork work) => _channel.Writer.TryWrite(work);

    internal ChannelReader<SlackWork> Reader => _channel.Reader;

    internal void Complete() => _channel.Writer.TryComplete();

    string IRedoableChannel.Channel => ChannelIds.Slack;

    int IRedoableChannel.ClaimBatch => Math.Max(1, options.Value.QueueCapacity / 2);

    RedoStart IRedoableChannel.TryRedo(PendingDelivery work) =>
        SlackWork.FromStored(work.Kind, work.DeliveryId, work.PayloadJson) is not { } redo ? RedoStart.Unreadable
        : TryEnqueue(redo) ? RedoStart.Started : RedoStart.Busy;
}

/// <summary>
/// Works the queue with a few parallel workers, each item a turn of the <see cref="TurnPipeline"/> (its slot, scope,
/// unit of work and done-mark). On shutdown the queue is closed and what was acknowledged is still worked off
/// (within the host's shutdown timeout); what is not is left for the next start, which takes it over at once.
/// </summary>
internal sealed class SlackWorker(SlackWorkQueue queue, TurnPipeline pipeline, IOptions<SlackOptions> options) : IHostedService
{
    private readonly CancellationTokenSource _abort = new();
    private Task[] _workers = [];
    private int _stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _workers = Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (WebApplicationFactory: on StopAsync and again on dispose).
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        queue.Complete();
        // Past the host's shutdown timeout, work waiting for a slot is given up (the pipeline cuts running turns short).
        await using (cancellationToken.Register(_abort.Cancel))
            await Task.WhenAll(_workers);
        _abort.Dispose();
    }

    private async Task WorkAsync()
    {
        await foreach (var work in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await pipeline.RunAsync(work.Inbound,
                    async (services, ct) =>
                    {
                        await work.RunAsync(services.GetRequiredService<SlackInbox>(), ct);
                        return true;
                    },
                    static (_, outcome, _) => Task.FromResult(outcome.Value),
                    acknowledgeAfter: null, mayContinueInBackground: false, _abort.Token);
            }
            catch (Exception)
            {
                // Logged, and its stored delivery closed or freed, by the pipeline.
            }
        }
    }
}

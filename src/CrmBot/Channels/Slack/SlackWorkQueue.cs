using System.Threading.Channels;
using CrmBot.Conversations.Pipeline;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

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

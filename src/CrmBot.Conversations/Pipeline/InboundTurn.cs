using CrmBot.Crm;

namespace CrmBot.Conversations.Pipeline;

/// <summary>One inbound delivery as a channel hands it to the <see cref="TurnPipeline"/>.</summary>
/// <param name="Channel">"msteams", "slack", "terminal": the delivery ids' namespace, and who redoes stored work.</param>
/// <param name="DeliveryId">What makes a redelivery recognisable; null for a turn that cannot be redelivered (the terminal).</param>
/// <param name="Anonymous">
/// The turn carries an anonymous survey answer (<see cref="Surveys.SurveyFeature.CarriesAnswer"/>): it writes nothing
/// that names its member, not even its delivery record (that row holds the conversation id and sits next to the
/// member's other turns). Its participation token, one per member and survey, makes a redelivery count once.
/// </param>
/// <param name="Redo">
/// What to store so that the turn can be redone should it be acknowledged before it is done (Teams, past its
/// acknowledgement window; asked for only then); null when it must never be stored or is stored already.
/// An anonymous turn is never stored.
/// </param>
/// <param name="Accepted">The channel stored the delivery before acknowledging it, leased to this instance (Slack; recovered work).</param>
public sealed record InboundTurn(string Channel, string? DeliveryId, bool Anonymous = false, Func<StoredWork>? Redo = null, bool Accepted = false);

/// <summary>A turn as stored for redoing: the channel's kind of request and its payload.</summary>
public sealed record StoredWork(string Kind, string PayloadJson);

/// <summary>What a turn came to: the channel's outcome, or a duplicate of a delivery already done (nothing ran).</summary>
public readonly record struct TurnOutcome<T>(bool Duplicate, T? Value);

public enum TurnStatus
{
    /// <summary>Done, and its outcome delivered.</summary>
    Completed,
    /// <summary>Past its acknowledgement window: acknowledged, stored when it can be redone, and left to finish.</summary>
    ContinuingInBackground,
    /// <summary>No slot within the window; nothing started, nothing stored.</summary>
    Busy,
}

/// <summary>What to do with stored work an instance claimed for redoing.</summary>
public enum RedoStart { Started, Busy, Unreadable }

/// <summary>
/// A channel whose acknowledged turns can be redone after a crash: it rebuilds a turn from what it stored and
/// delivers that turn's replies itself (there is no request left to answer).
/// </summary>
public interface IRedoableChannel
{
    string Channel { get; }

    /// <summary>How many claimed turns it takes at a time (its queue's room).</summary>
    int ClaimBatch { get; }

    /// <summary>Starts redoing <paramref name="work"/>, leased to this instance; the pipeline marks it done with the turn.</summary>
    RedoStart TryRedo(PendingDelivery work);
}

namespace CrmBot.Crm.ChatState;

/// <summary>Delivery ids already handled, so a retried delivery is processed once.</summary>
public class ProcessedInbound
{
    /// <summary>"msteams" or "slack".</summary>
    public required string Channel { get; set; }
    /// <summary>Teams: conversation id + activity id; Slack: event_id or a hash of the command.</summary>
    public required string DeliveryId { get; set; }
    public DateTime ReceivedAt { get; set; }

    // Work acknowledged before it was done (Slack answers 200 at once) is written into this same
    // row: "seen once" and "still to do" are then one insert, so no retry can slip between them.
    // PayloadJson set = pending; cleared when the work is done or given up.

    /// <summary>What the payload is ("event", "command", …), for the channel that redoes it.</summary>
    public string? Kind { get; set; }
    /// <summary>Enough of the verified request to redo the work; null once done.</summary>
    public string? PayloadJson { get; set; }
    /// <summary>Claims so far (the first by the instance that acknowledged it).</summary>
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
}

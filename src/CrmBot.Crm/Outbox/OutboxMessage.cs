namespace CrmBot.Crm.Outbox;

/// <summary>
/// Pending rows are what dispatchers claim. Held and Folded are stage-change notes for a member
/// who chose the digest: held until their next digest, then folded into it. Skipped marks a
/// digest that was planned but had nothing to say, so it is not planned again that day.
/// </summary>
public enum OutboxStatus { Pending = 0, Sent = 1, Failed = 2, Held = 3, Folded = 4, Skipped = 5 }

/// <summary>
/// A proactive message waiting to be sent. Written in the same transaction as the change that
/// causes it; a dispatcher claims it with a lease and sends it once.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }
    /// <summary>"msteams" or "slack".</summary>
    public required string Channel { get; set; }
    /// <summary>"digest", "stage-change", "survey", "survey-reminder".</summary>
    public required string Kind { get; set; }
    /// <summary>Where it goes: a member (DM) or a conversation.</summary>
    public int? MemberId { get; set; }
    public int? ConversationAddressId { get; set; }
    public string? ChannelTarget { get; set; }
    /// <summary>The bound card and its text fallback, as JSON.</summary>
    public required string PayloadJson { get; set; }
    /// <summary>Unique when set: "digest:{member}:{yyyy-MM-dd}" makes planning idempotent.</summary>
    public string? DedupeKey { get; set; }
    public OutboxStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NotBefore { get; set; }
    /// <summary>Claims so far, including one whose dispatcher died mid-flight.</summary>
    public int Attempts { get; set; }
    /// <summary>When the first claim happened; the give-up clock starts here, not at creation,
    /// so rows written while no dispatcher ran still get their full retry budget.</summary>
    public DateTime? FirstAttemptAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
    /// <summary>Sent, folded into a digest, or given up (Failed) at.</summary>
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }
}

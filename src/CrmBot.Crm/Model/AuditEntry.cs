namespace CrmBot.Crm.Model;

/// <summary>Who changed what, from which channel, old → new. Never holds survey answers.</summary>
public class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public int? MemberId { get; set; }
    /// <summary>Display name at the time, or "import", "system".</summary>
    public required string Actor { get; set; }
    public required string Channel { get; set; }
    /// <summary>"Contact", "Deal", "Activity", "FollowUp", "Member", …</summary>
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    /// <summary>"created", "updated", "deleted", "stage", "merged", "undone", …</summary>
    public required string Action { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
}

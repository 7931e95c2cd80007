namespace CrmBot.Crm.Model;

public enum ActivityType { Call = 0, Meeting = 1, Email = 2, Note = 3 }

public class Activity
{
    public int Id { get; set; }
    public ActivityType Type { get; set; }
    public string Notes { get; set; } = "";
    public string? Outcome { get; set; }
    public DateTime OccurredAt { get; set; }
    public int ContactId { get; set; }
    public Contact? Contact { get; set; }
    public int? DealId { get; set; }
    public Deal? Deal { get; set; }
    public int LoggedById { get; set; }
    public Member? LoggedBy { get; set; }
    /// <summary>The channel it was logged from ("msteams", "slack", "terminal", "import").</summary>
    public required string Channel { get; set; }
    /// <summary>Link to (or id of) the chat message it came from, when any.</summary>
    public string? MessageLink { get; set; }
    public DateTime CreatedAt { get; set; }
}

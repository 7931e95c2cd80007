namespace CrmBot.Crm.Model;

public enum FollowUpStatus { Open = 0, Done = 1, Snoozed = 2 }

public class FollowUp
{
    public int Id { get; set; }
    public required string Title { get; set; }
    /// <summary>
    /// The instant it is due, in UTC. A follow-up "due Tuesday" is due at the end of Tuesday in
    /// the assignee's zone, so "today" is always a question asked in that zone.
    /// </summary>
    public DateTime DueAt { get; set; }
    public FollowUpStatus Status { get; set; }
    public int? ContactId { get; set; }
    public Contact? Contact { get; set; }
    public int? DealId { get; set; }
    public Deal? Deal { get; set; }
    public int AssigneeId { get; set; }
    public Member? Assignee { get; set; }
    /// <summary>The activity whose log created it, so undo removes both.</summary>
    public int? ActivityId { get; set; }
    public Activity? Activity { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

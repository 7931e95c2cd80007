namespace CrmBot.Crm.ChatState;

/// <summary>A half-finished conversation flow, per conversation + member, so it survives restarts and instances.</summary>
public class DialogState
{
    public required string ConversationId { get; set; }
    public int MemberId { get; set; }
    public required string DialogName { get; set; }
    public required string StateJson { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Optimistic concurrency: two instances racing on one flow must not both win.</summary>
    public int Version { get; set; }
}

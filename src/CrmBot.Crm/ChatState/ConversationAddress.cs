using CrmBot.Crm.Model;

namespace CrmBot.Crm.ChatState;

/// <summary>
/// Where to reach a conversation later (proactive messages): for Teams the serviceUrl,
/// conversation id, tenant and bot id; for Slack the channel id. Stored form of what the Bot
/// Framework calls a conversation reference (the chat layer has its own wire type of that name).
/// </summary>
public class ConversationAddress
{
    public int Id { get; set; }
    public required string Channel { get; set; }
    public required string TenantId { get; set; }
    public required string ConversationId { get; set; }
    /// <summary>"personal", "groupChat" or "channel".</summary>
    public required string ConversationType { get; set; }
    public string? ServiceUrl { get; set; }
    public string? BotId { get; set; }
    /// <summary>The user a personal conversation is with.</summary>
    public int? MemberId { get; set; }
    public Member? Member { get; set; }
    public DateTime UpdatedAt { get; set; }
}

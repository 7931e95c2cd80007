using CrmBot.Crm.Model;

namespace CrmBot.Crm.Outbox;

/// <summary>
/// Where a proactive message goes. A member means a direct message (the channel sender finds or
/// creates the 1:1 conversation); a target is a channel/conversation id on that platform.
/// </summary>
public sealed record ProactiveAddress(string Channel, int? MemberId = null, string? Target = null, int? ConversationAddressId = null)
{
    public static ProactiveAddress DirectTo(Member member) => new(member.Channel, MemberId: member.Id);

    public static ProactiveAddress ToConversation(string channel, string target) => new(channel, Target: target);
}

using CrmBot.Crm;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Channels.Teams;

/// <summary>
/// When the app is installed in a conversation: remembers where to reach it later (the conversation
/// reference proactive messages are sent with) and who installed it.
/// </summary>
public sealed class TeamsInstallations(CrmDbContext db, TimeProvider clock)
{
    public async Task RecordAsync(Activity activity, CancellationToken ct)
    {
        var conversationId = activity.Conversation!.Id!;
        var reference = await db.ConversationReferences
            .FirstOrDefaultAsync(r => r.Channel == TeamsActivities.ChannelId && r.ConversationId == conversationId, ct);
        if (reference is null)
        {
            reference = new Crm.Model.ConversationReference
            {
                Channel = TeamsActivities.ChannelId,
                TenantId = activity.TenantId ?? "",
                ConversationId = conversationId,
                ConversationType = activity.Conversation.ConversationType ?? "personal",
            };
            db.ConversationReferences.Add(reference);
        }
        reference.TenantId = activity.TenantId ?? reference.TenantId;
        reference.ServiceUrl = activity.ServiceUrl;
        reference.BotId = activity.Recipient?.Id;
        reference.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}

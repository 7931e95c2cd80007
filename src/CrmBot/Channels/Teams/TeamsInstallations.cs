using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Channels.Teams;

/// <summary>
/// When the app is installed in a conversation: remembers where to reach it later (the conversation
/// reference proactive messages are sent with) and who installed it (name, AAD id, tenant, time zone).
/// </summary>
public sealed class TeamsInstallations(CrmDbContext db, MemberService members, TimeProvider clock)
{
    public async Task RecordAsync(BotActivity activity, CancellationToken ct)
    {
        var user = TeamsActivities.User(activity);
        var member = string.IsNullOrEmpty(user.TenantId) ? null : await members.ResolveAsync(
            new MemberIdentity(user.Channel, user.TenantId, user.UserId, user.DisplayName, user.TimeZone, user.Email, user.AadObjectId), ct);

        try
        {
            await UpsertReferenceAsync(activity, user.TenantId, member?.Id, ct);
        }
        catch (DbUpdateException ex) when (StoreErrors.IsUniqueViolation(ex))
        {
            // Two installs of one conversation raced (Teams sends several updates on install); the unique
            // index let one insert win. Ours becomes an update of that row.
            db.ChangeTracker.Clear();
            await UpsertReferenceAsync(activity, user.TenantId, member?.Id, ct);
        }
    }

    private async Task UpsertReferenceAsync(BotActivity activity, string tenantId, int? memberId, CancellationToken ct)
    {
        var conversationId = activity.Conversation!.Id!;
        var conversationType = activity.Conversation.ConversationType ?? "personal";
        var reference = await db.ConversationAddresses
            .FirstOrDefaultAsync(r => r.Channel == ChannelIds.Teams && r.ConversationId == conversationId, ct);
        if (reference is null)
        {
            reference = new ConversationAddress
            {
                Channel = ChannelIds.Teams,
                TenantId = tenantId,
                ConversationId = conversationId,
                ConversationType = conversationType,
            };
            db.ConversationAddresses.Add(reference);
        }
        if (!string.IsNullOrEmpty(tenantId)) reference.TenantId = tenantId;
        reference.ServiceUrl = activity.ServiceUrl;
        reference.BotId = activity.Recipient?.Id;
        // Only a 1:1 chat belongs to one member (where their digest goes); a channel is everybody's.
        if (conversationType == "personal" && memberId is not null) reference.MemberId = memberId;
        reference.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}

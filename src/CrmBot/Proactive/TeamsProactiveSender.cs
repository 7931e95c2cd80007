using CrmBot.Channels.Teams;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Proactive messages on Teams: what is proactive about them, i.e. who the outbox row's recipient is — a member's
/// 1:1 chat through the stored conversation reference (created with POST v3/conversations when there is none yet),
/// or a channel conversation. Sending is the channel's <see cref="TeamsSender"/>, as for a turn's replies.
/// </summary>
internal sealed class TeamsProactiveSender(CrmDbContext db, ConnectorClient connector, TeamsSender sender, IOptions<BotOptions> bot, TimeProvider clock)
    : IProactiveSender
{
    public string Channel => ChannelIds.Teams;

    public async Task<SendResult> SendAsync(OutboxMessage message, ProactivePayload payload, CancellationToken ct)
    {
        string? serviceUrl, conversationId, error;
        try
        {
            (serviceUrl, conversationId, error) = await ResolveAsync(message, ct);
        }
        catch (ConnectorException ex)
        {
            // Opening the 1:1 chat failed: read as any Connector failure.
            return TeamsSender.Failure(ex)!;
        }
        if (error is not null) return SendResult.Permanent(error);
        return await sender.SendAsync(new TeamsAddress(serviceUrl!, conversationId!), [new TeamsOutgoing(ToActivity(payload))], ct);
    }

    internal static BotActivity ToActivity(ProactivePayload payload)
    {
        if (payload.Cards.Count == 0) return TeamsMessageFactory.Text(payload.Text);
        var activity = TeamsMessageFactory.Card(payload.Cards[0].Card, payload.Text);
        foreach (var extra in payload.Cards.Skip(1))
            activity.Attachments!.Add(new Attachment { ContentType = Attachment.AdaptiveCardContentType, Content = extra.Card.DeepClone() });
        return activity;
    }

    private async Task<(string? ServiceUrl, string? ConversationId, string? Error)> ResolveAsync(OutboxMessage message, CancellationToken ct)
    {
        if (message.ConversationAddressId is { } referenceId)
        {
            var stored = await db.ConversationAddresses.AsNoTracking().FirstOrDefaultAsync(r => r.Id == referenceId, ct);
            return stored?.ServiceUrl is null
                ? (null, null, $"conversation reference {referenceId} is gone or has no serviceUrl")
                : (stored.ServiceUrl, stored.ConversationId, null);
        }
        if (message.ChannelTarget is { } target)
        {
            // A channel post goes to the channel's own serviceUrl when we saw it (the app was
            // installed there); otherwise any Teams conversation of ours tells us the region's URL.
            var stored = await db.ConversationAddresses.AsNoTracking()
                .Where(r => r.Channel == Channel && r.ServiceUrl != null)
                .OrderByDescending(r => r.ConversationId == target).ThenByDescending(r => r.UpdatedAt)
                .FirstOrDefaultAsync(ct);
            return stored is null
                ? (null, null, "no Teams conversation seen yet, so no serviceUrl to post to: install the app in the team first")
                : (stored.ServiceUrl, target, null);
        }
        if (message.MemberId is { } memberId) return await PersonalAsync(memberId, ct);
        return (null, null, "outbox row has no recipient");
    }

    private async Task<(string?, string?, string?)> PersonalAsync(int memberId, CancellationToken ct)
    {
        var member = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == memberId, ct);
        if (member is null) return (null, null, $"member {memberId} no longer exists");

        var personal = await db.ConversationAddresses.AsNoTracking()
            .Where(r => r.Channel == Channel && r.MemberId == memberId && r.ConversationType == "personal" && r.ServiceUrl != null)
            .OrderByDescending(r => r.UpdatedAt).FirstOrDefaultAsync(ct);
        if (personal is not null) return (personal.ServiceUrl, personal.ConversationId, null);

        // No 1:1 chat with the bot yet: open one. Any conversation of this tenant tells us the
        // serviceUrl and the bot id; Teams answers with the existing chat if there is one, so
        // a retry of this step is harmless.
        var anyInTenant = await db.ConversationAddresses.AsNoTracking()
            .Where(r => r.Channel == Channel && r.TenantId == member.TenantId && r.ServiceUrl != null)
            .OrderByDescending(r => r.UpdatedAt).FirstOrDefaultAsync(ct);
        if (anyInTenant is null)
            return (null, null, $"no Teams conversation seen in tenant {member.TenantId}: the app must be installed before it can message {member.DisplayName}");
        var botId = anyInTenant.BotId ?? (bot.Value.MicrosoftAppId is { Length: > 0 } appId ? "28:" + appId : null);
        if (botId is null) return (null, null, "bot id unknown: no conversation reference carries it and Bot:MicrosoftAppId is not set");

        var created = await connector.CreateConversationAsync(anyInTenant.ServiceUrl!,
            ConnectorClient.PersonalConversation(botId, member.UserId, member.TenantId), ct);
        if (string.IsNullOrEmpty(created.Id)) return (null, null, "Connector created a conversation without an id");

        await RememberAsync(new ConversationAddress
        {
            Channel = Channel,
            TenantId = member.TenantId,
            ConversationId = created.Id,
            ConversationType = "personal",
            ServiceUrl = anyInTenant.ServiceUrl,
            BotId = botId,
            MemberId = memberId,
            UpdatedAt = clock.GetUtcNow().UtcDateTime,
        }, ct);
        return (anyInTenant.ServiceUrl, created.Id, null);
    }

    private async Task RememberAsync(ConversationAddress reference, CancellationToken ct)
    {
        var existing = await db.ConversationAddresses
            .FirstOrDefaultAsync(r => r.Channel == reference.Channel && r.ConversationId == reference.ConversationId, ct);
        if (existing is null) db.ConversationAddresses.Add(reference);
        else
        {
            existing.MemberId = reference.MemberId;
            existing.ServiceUrl = reference.ServiceUrl;
            existing.BotId = reference.BotId;
            existing.UpdatedAt = reference.UpdatedAt;
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Another instance remembered the same chat at the same moment; theirs is as good.
            db.ChangeTracker.Clear();
        }
    }
}

using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Proactive;

/// <summary>
/// Proactive messages on Slack: what is proactive about them, i.e. who the outbox row's recipient is (a member's DM
/// is opened with conversations.open and remembered as a conversation reference), and the payload's cards as one
/// Block Kit message. Sending is the channel's <see cref="SlackSender"/>, as for a turn's replies.
/// </summary>
internal sealed class SlackProactiveSender(CrmDbContext db, SlackApiClient api, SlackSender sender, SlackCardRenderer renderer, TimeProvider clock)
    : IProactiveSender
{

    public string Channel => ChannelIds.Slack;

    public async Task<SendResult> SendAsync(OutboxMessage message, ProactivePayload payload, CancellationToken ct)
    {
        string? channel;
        try
        {
            channel = await ResolveChannelAsync(message, ct);
        }
        catch (SlackApiException ex)
        {
            // Opening the DM failed: read as any Slack failure.
            return SlackSender.Failure(ex, ct)!;
        }
        if (channel is null) return SendResult.Permanent("outbox row has no Slack recipient (member gone or no target)");
        return await sender.PostAsync(channel, await RenderAsync(payload, ct), ct);
    }

    private async Task<string?> ResolveChannelAsync(OutboxMessage message, CancellationToken ct)
    {
        if (message.ChannelTarget is { } target) return target;
        if (message.ConversationAddressId is { } referenceId)
            return await db.ConversationAddresses.Where(r => r.Id == referenceId).Select(r => r.ConversationId).FirstOrDefaultAsync(ct);
        if (message.MemberId is not { } memberId) return null;

        var member = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == memberId, ct);
        if (member is null) return null;
        var known = await db.ConversationAddresses.AsNoTracking()
            .Where(r => r.Channel == ChannelIds.Slack && r.MemberId == memberId && r.ConversationType == "personal")
            .OrderByDescending(r => r.UpdatedAt).Select(r => r.ConversationId).FirstOrDefaultAsync(ct);
        if (known is not null) return known;

        // conversations.open answers the same DM channel every time, so it is safe to repeat.
        var dm = await api.OpenDirectMessageAsync(member.UserId, ct);
        db.ConversationAddresses.Add(new ConversationAddress
        {
            Channel = ChannelIds.Slack,
            TenantId = member.TenantId,
            ConversationId = dm,
            ConversationType = "personal",
            MemberId = memberId,
            UpdatedAt = clock.GetUtcNow().UtcDateTime,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); }   // another instance remembered it first
        return dm;
    }

    /// <summary>
    /// All cards of the payload as one message. What would break Slack's per-message limits is left
    /// out and said so, rather than failing the whole message.
    /// </summary>
    private async Task<SlackMessage> RenderAsync(ProactivePayload payload, CancellationToken ct)
    {
        var text = SlackText.Truncate(SlackText.ToPlain(payload.Text), BlockKitLimits.FallbackText);
        if (payload.Cards.Count == 0)
            return new SlackMessage(text, [Section(SlackText.Truncate(SlackText.ToMrkdwn(payload.Text), BlockKitLimits.SectionText))]);

        var blocks = new JsonArray();
        var left = 0;
        foreach (var card in payload.Cards)
        {
            var rendered = await renderer.MessageAsync(card.Card, null, ct);
            var size = blocks.ToJsonString().Length + rendered.Blocks.ToJsonString().Length;
            var divider = blocks.Count > 0 ? 1 : 0;
            // One block stays free for the "more not shown" line.
            if (left > 0 || blocks.Count + divider + rendered.Blocks.Count > BlockKitLimits.MessageBlocks - 1 || size > BlockKitLimits.MessageBlockChars - 500)
            {
                left++;
                continue;
            }
            if (divider == 1) blocks.Add(new JsonObject { ["type"] = "divider" });
            foreach (var block in rendered.Blocks) blocks.Add(block!.DeepClone());
        }
        if (left > 0)
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"…and {left} more not shown here." }),
            });
        return new SlackMessage(text, blocks);
    }

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn.Length == 0 ? " " : mrkdwn },
    };
}

using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Proactive;

/// <summary>
/// Proactive messages leaving through the real senders and the background dispatcher, to loopback
/// fakes that check tokens and shapes and can fail on demand.
/// </summary>
public class ProactiveDeliveryTests(ProactiveHost host) : IClassFixture<ProactiveHost>
{
    private static ProactivePayload Card(string title) => new(title,
    [
        new OutboxCard("test", new JsonObject
        {
            ["type"] = "AdaptiveCard", ["version"] = "1.5",
            ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = title, ["wrap"] = true }),
        }),
    ]);

    [Fact]
    public async Task Slack_ThreeServiceUnavailable_ThenAccepted_DeliveredOnceToTheMembersDm()
    {
        var member = await host.MemberAsync("slack", "U0SLACK1", "Sven");
        host.Slack.FailNext("chat.postMessage", 3, HttpStatusCode.ServiceUnavailable);

        var id = await host.EnqueueAsync(ProactiveAddress.DirectTo(member), Card("Digest for Sven"));
        var row = await host.SettledAsync(id);

        Assert.Equal(OutboxStatus.Sent, row.Status);
        var open = Assert.Single(host.Slack.CallsTo("conversations.open"), c => c.Body["users"]?.GetValue<string>() == "U0SLACK1");
        Assert.True(open.Accepted);
        var posts = host.Slack.CallsTo("chat.postMessage").Where(c => c.Body.ToJsonString().Contains("Digest for Sven")).ToList();
        Assert.Equal(4, posts.Count);
        var delivered = Assert.Single(posts, p => p.Accepted);
        Assert.Equal("D0SLACK1", delivered.Body["channel"]!.GetValue<string>());
        Assert.Equal("Bearer " + host.Slack.BotToken, delivered.Authorization);
        Assert.Contains("Digest for Sven", delivered.Body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Slack_FailingLongerThanTheClientRetries_OutboxRetriesLater_StillDeliveredOnce()
    {
        var member = await host.MemberAsync("slack", "U0SLACK2", "Siri");
        // The client's own retries (3) are used up twice over: the outbox must reschedule.
        host.Slack.FailNext("chat.postMessage", 6, HttpStatusCode.ServiceUnavailable);

        var id = await host.EnqueueAsync(ProactiveAddress.DirectTo(member), Card("Stage change for Siri"));
        var row = await host.SettledAsync(id);

        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.True(row.Attempts >= 2, $"expected an outbox-level retry, got {row.Attempts} attempt(s)");
        Assert.Single(host.Slack.CallsTo("chat.postMessage"), c => c.Accepted && c.Body.ToJsonString().Contains("Stage change for Siri"));
        // The DM channel was remembered: conversations.open once, however many attempts.
        Assert.Single(host.Slack.CallsTo("conversations.open"), c => c.Body["users"]?.GetValue<string>() == "U0SLACK2");
    }

    [Fact]
    public async Task Teams_NoPersonalChatYet_CreatesIt_ThreeServiceUnavailable_DeliveredOnce()
    {
        var member = await host.MemberAsync("msteams", "29:teams-user-1", "Tessa");
        host.Connector.FailNext(3, 503);
        var id = await host.EnqueueAsync(ProactiveAddress.DirectTo(member), Card("Digest for Tessa"));

        var row = await host.SettledAsync(id);

        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Equal(3, host.Connector.Requests.Count(r => r.Status == 503));
        var created = Assert.Single(host.Connector.Accepted, r => r.Path == "/v3/conversations"
            && r.Body?["members"]?[0]?["id"]?.GetValue<string>() == "29:teams-user-1");
        Assert.Equal(ProactiveHost.TenantId, created.Body!["channelData"]!["tenant"]!["id"]!.GetValue<string>());
        var sends = host.Connector.Accepted.Where(r => r.Card?.ToJsonString().Contains("Digest for Tessa") == true).ToList();
        var send = Assert.Single(sends);
        Assert.StartsWith("a:fake-conversation-", send.ConversationId);

        // The 1:1 is remembered for next time.
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        Assert.True(await db.ConversationAddresses.AnyAsync(r => r.MemberId == member.Id && r.ConversationId == send.ConversationId));
    }

    [Fact]
    public async Task Teams_DealMovedBySomeoneElse_CardInTheTeamChannelAndTheOwnersChat()
    {
        var owner = await host.MemberAsync("msteams", "29:owner", "Olaf");
        var manager = await host.MemberAsync("msteams", "29:manager", "Mira");
        int dealId;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            // Mira is Olaf's manager: only she (or an admin) may move his deal.
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            await db.Members.Where(m => m.Id == manager.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, MemberRole.Manager));
            await db.Members.Where(m => m.Id == owner.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ManagerId, manager.Id));
            var deals = scope.ServiceProvider.GetRequiredService<DealService>();
            dealId = (await deals.CreateAsync(new NewDeal("Globex expansion", 125000m, "Negotiation", Currency: "EUR"), MemberService.ActorFor(owner, "msteams"), default)).Id;
            Assert.Equal(StageMoveStatus.Moved, (await deals.MoveAsync(dealId, "won", "Signed today", MemberService.ActorFor(manager, "msteams"), default)).Status);
        }

        var accepted = await host.Connector.WaitForAsync(calls =>
            calls.Count(c => c.Card?.ToJsonString().Contains("Globex expansion") == true) >= 2);
        var cards = accepted.Where(c => c.Card?.ToJsonString().Contains("Globex expansion") == true).ToList();
        Assert.Equal(2, cards.Count);
        var inChannel = Assert.Single(cards, c => c.ConversationId == ProactiveHost.TeamChannel);
        var json = inChannel.Card!.ToJsonString();
        foreach (var expected in new[] { "Deal won", "Negotiation", "Closed Won", "125,000 EUR", "Mira", "Signed today" })
            Assert.Contains(expected, json);
        Assert.Contains(cards, c => c.ConversationId != ProactiveHost.TeamChannel);
    }

    [Fact]
    public async Task PermanentFailure_IsVisibleInHealthz()
    {
        // Slack answers channel_not_found for a post with no channel: nothing to retry.
        var id = await host.EnqueueAsync(new ProactiveAddress("slack", Target: ""), ProactivePayload.TextOnly("to nowhere"));
        var row = await host.SettledAsync(id);
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Contains("channel_not_found", row.LastError);

        using var client = host.Factory.CreateClient();
        var health = JsonNode.Parse(await client.GetStringAsync("/healthz"))!;
        Assert.Equal("Degraded", health["checks"]!["outbox"]!["status"]!.GetValue<string>());
        Assert.Contains("channel_not_found", health["checks"]!["outbox"]!["data"]!["lastError"]!.GetValue<string>());
    }
}

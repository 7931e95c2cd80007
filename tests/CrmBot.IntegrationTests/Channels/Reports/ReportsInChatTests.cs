using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Fakes.Teams;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.IntegrationTests.Channels.Teams;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Reports;

/// <summary>A manager's team with open deals, and a deal outside it: what `my team's deals` must and must not count.</summary>
internal static class ReportsWorld
{
    public static async Task<int> MakeManagerWithTeamAsync(CrmDbContext db, int managerId, string tag)
    {
        var manager = await db.Members.SingleAsync(m => m.Id == managerId);
        manager.Role = MemberRole.Manager;
        var rep = new Member { Channel = "test", TenantId = "T", UserId = "rep-" + tag, DisplayName = "Rep " + tag, ManagerId = managerId };
        var outsider = new Member { Channel = "test", TenantId = "T", UserId = "out-" + tag, DisplayName = "Outsider " + tag };
        db.Members.AddRange(rep, outsider);
        await db.SaveChangesAsync();
        db.Deals.AddRange(
            new Deal { Name = "Team deal " + tag, Amount = 12000m, Currency = "USD", Stage = "Proposal Sent", OwnerId = rep.Id },
            new Deal { Name = "Own deal " + tag, Amount = 3000m, Currency = "USD", Stage = "Lead", OwnerId = managerId },
            new Deal { Name = "Other deal " + tag, Amount = 999000m, Currency = "USD", Stage = "Lead", OwnerId = outsider.Id });
        return await db.SaveChangesAsync();
    }
}

/// <summary>Reports in Teams through POST /api/messages: the charts with their text fallbacks, and a refusal by role.</summary>
public class TeamsReportsTests(EngineHost host) : IClassFixture<EngineHost>
{
    private async Task<(ConnectorRequest Reply, string User)> SayAsync(string text, string user)
    {
        var activity = host.Sample("message-personal");
        activity["from"]!["id"] = user;
        activity["from"]!["aadObjectId"] = Guid.NewGuid().ToString();
        activity["conversation"]!["id"] = "a:" + user;
        activity["text"] = text;
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>())), user);
    }

    private static IEnumerable<JsonObject> Elements(JsonNode? node) => node switch
    {
        JsonObject o => (o["type"] is JsonValue ? [o] : Array.Empty<JsonObject>()).Concat(o.SelectMany(p => Elements(p.Value))),
        JsonArray a => a.SelectMany(Elements),
        _ => [],
    };

    [Fact]
    public async Task ManagersTeamDeals_IsThePipelineChart_WithItsTextFallback()
    {
        var user = "29:" + Guid.NewGuid().ToString("N");
        await SayAsync("help", user);
        var me = await host.WithStoreAsync(db => db.Members.SingleAsync(m => m.UserId == user));
        await host.WithStoreAsync(db => ReportsWorld.MakeManagerWithTeamAsync(db, me.Id, user[^6..]));

        var (reply, _) = await SayAsync("my team's deals", user);

        var card = reply.Card;
        Assert.NotNull(card);
        var chart = Assert.Single(Elements(card), e => e["type"]!.GetValue<string>() == "Chart.VerticalBar");
        Assert.Contains(chart["data"]!.AsArray(), d => d!["x"]!.GetValue<string>() == "Proposal Sent" && d["y"]!.GetValue<decimal>() == 12000m);
        var fallback = chart["fallback"]!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("Monospace", fallback);
        Assert.Contains("12,000 USD (1)", fallback);
        var text = card!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        // The team's two deals and nothing of the outsider's.
        Assert.Contains("USD: 2 deals, 15,000 USD", text);
        Assert.DoesNotContain("999,000", text);
    }

    [Fact]
    public async Task RepAskingForEveryonesPipeline_IsRefused()
    {
        var (reply, _) = await SayAsync("everyone's pipeline", "29:" + Guid.NewGuid().ToString("N"));

        Assert.Null(reply.Card);
        Assert.Contains("You see your own figures", reply.Body!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ManagersForecast_IsTheBarChart_WithItsTextFallback()
    {
        var user = "29:" + Guid.NewGuid().ToString("N");
        await SayAsync("help", user);
        var me = await host.WithStoreAsync(db => db.Members.SingleAsync(m => m.UserId == user));
        // Mid-quarter in the member's zone (the sample's), so both deals are due in this quarter whatever today is.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles")).DateTime);
        var due = ReportPeriod.ThisQuarter(today).From.AddDays(45);
        await host.WithStoreAsync(async db =>
        {
            (await db.Members.SingleAsync(m => m.Id == me.Id)).Role = MemberRole.Manager;
            var rep = new Member { Channel = "test", TenantId = "T", UserId = "rep-" + user[^6..], DisplayName = "Rep " + user[^6..], ManagerId = me.Id };
            db.Members.Add(rep);
            await db.SaveChangesAsync();
            db.Deals.AddRange(
                new Deal { Name = "Committed " + user[^6..], Amount = 5000m, Currency = "USD", Stage = "Negotiation", OwnerId = rep.Id, ExpectedClose = due },
                new Deal { Name = "Early " + user[^6..], Amount = 1000m, Currency = "USD", Stage = "Lead", OwnerId = me.Id, ExpectedClose = due });
            return await db.SaveChangesAsync();
        });

        var (reply, _) = await SayAsync("forecast", user);
        var card = reply.Card;

        Assert.NotNull(card);
        var chart = Assert.Single(Elements(card), e => e["type"]!.GetValue<string>() == "Chart.VerticalBar");
        // Committed: the Negotiation deal (80%); best case: both; weighted 5,000 × 0.8 + 1,000 × 0.1.
        Assert.Equal([("Committed", 5000m), ("Best case", 6000m), ("Weighted", 4100m), ("Won", 0m)],
            chart["data"]!.AsArray().Select(d => (d!["x"]!.GetValue<string>(), d["y"]!.GetValue<decimal>())));
        var fallback = chart["fallback"]!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("Monospace", fallback);
        Assert.Contains("Best case ████████████████ 6,000 USD (2)", fallback);
        var text = card!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("Forecast: your team", text);
        Assert.Contains("\"title\":\"Weighted\",\"value\":\"4,100 USD\"", text);
    }
}

/// <summary>Reports by Slack slash command: the same numbers as aligned monospace bars in a code block.</summary>
public class SlackReportsTests(SlackEngineHost host) : IClassFixture<SlackEngineHost>
{
    private async Task<JsonObject> CommandAsync(string text)
    {
        var name = "rep-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await host.PostCommandAsync(text, name)).StatusCode);
        var call = await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name));
        Assert.True(call.Accepted, call.Error);
        return call.Body;
    }

    [Fact]
    public async Task ManagersTeamDeals_AreBars_ThenAsARep_EveryonesIsRefused()
    {
        await CommandAsync("follow-ups");   // the member is made on first sight
        int memberId;
        await using (var db = host.Store())
        {
            memberId = (await db.Members.SingleAsync(m => m.UserId == SlackHost.UserId)).Id;
            await ReportsWorld.MakeManagerWithTeamAsync(db, memberId, "slack");
        }

        var body = await CommandAsync("my team's deals");

        var blocks = body["blocks"]!.AsArray();
        Assert.True(blocks.Count <= 50);
        var code = blocks.Select(b => b!["text"]?["text"]?.GetValue<string>() ?? "").Where(t => t.StartsWith("```", StringComparison.Ordinal)).ToList();
        var bars = Assert.Single(code);
        Assert.True(bars.Length <= 3000);
        var lines = bars.Trim('`').Split('\n');
        Assert.Contains(lines, l => l.StartsWith("Proposal Sent", StringComparison.Ordinal) && l.EndsWith("12,000 USD (1)", StringComparison.Ordinal) && l.Contains('█'));
        // Aligned: every bar starts in the same column.
        Assert.Single(lines.Select(l => l.IndexOfAny(['█', '·'])).Distinct());
        Assert.DoesNotContain("999,000", body.ToJsonString());

        await using (var db = host.Store())
        {
            (await db.Members.SingleAsync(m => m.Id == memberId)).Role = MemberRole.Rep;
            await db.SaveChangesAsync();
        }
        var refused = await CommandAsync("everyone's pipeline");
        Assert.Contains("You see your own figures", refused.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}

/// <summary>`stale deals` by Slack slash command: a stale deal's follow-up button, pressed and then redelivered, makes one follow-up.</summary>
public class SlackStaleDealsTests(SlackEngineHost host) : IClassFixture<SlackEngineHost>
{
    [Fact]
    public async Task StaleDeal_FollowUpButton_RetriedPress_MakesOneFollowUp()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var first = "first-" + tag;
        Assert.Equal(HttpStatusCode.OK, (await host.PostCommandAsync("follow-ups", first)).StatusCode);   // the member is made on first sight
        await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(first));
        await using (var db = host.Store())
        {
            var me = await db.Members.SingleAsync(m => m.UserId == SlackHost.UserId);
            var contact = new Contact { FirstName = "Stale", LastName = "Contact" + tag };
            db.Contacts.Add(contact);
            await db.SaveChangesAsync();
            var created = host.Clock.GetUtcNow().UtcDateTime.AddDays(-30);
            db.Deals.Add(new Deal { Name = "Quiet " + tag, Amount = 700m, Currency = "USD", Stage = "Lead", OwnerId = me.Id, ContactId = contact.Id, CreatedAt = created, UpdatedAt = created });
            await db.SaveChangesAsync();
        }

        var list = "stale-" + tag;
        Assert.Equal(HttpStatusCode.OK, (await host.PostCommandAsync("my stale deals", list)).StatusCode);
        var card = await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(list));
        Assert.True(card.Accepted, card.Error);
        var blocks = card.Body["blocks"]!.AsArray();
        Assert.True(blocks.Count <= 50);
        Assert.Contains("Quiet " + tag, card.Body.ToJsonString());
        // The member's only stale deal: its button.
        var followUp = Assert.Single(SlackHost.Buttons(blocks), b => b["text"]!["text"]!.GetValue<string>() == "Follow up in a week");

        var press = "press-" + tag;
        var click = host.BlockAction(followUp, "C7473C21AFD", "1795363800.000009", ephemeral: true, press);
        Assert.Equal(HttpStatusCode.OK, (await host.PostInteractionAsync(click)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostInteractionAsync(click)).StatusCode);   // the same delivery again
        var answer = await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(press));
        Assert.Contains("Follow-up set: Follow up on Quiet " + tag, answer.Body.ToJsonString());
        // One worker answers in arrival order: once a later command is answered, the redelivery was handled.
        var after = "after-" + tag;
        await host.PostCommandAsync("follow-ups", after);
        await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(after));

        await using var check = host.Store();
        Assert.Equal(1, await check.FollowUps.CountAsync(f => f.Title == "Follow up on Quiet " + tag));
    }
}

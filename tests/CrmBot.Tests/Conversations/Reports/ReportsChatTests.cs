using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Features;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations.Reports;

/// <summary>`pipeline` and `win rate` in chat: what is read from the message, and the cards a role gets.</summary>
public class ReportsChatTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("pipeline", "pipeline", null, null, null)]
    [InlineData("how does the pipeline look?", "pipeline", null, null, null)]
    [InlineData("pipeline this quarter", "pipeline", null, null, "2026-10-01")]
    [InlineData("my pipeline", "pipeline", ReportAudience.Mine, null, null)]
    [InlineData("team pipeline", "pipeline", ReportAudience.Team, null, null)]
    [InlineData("my team's deals", "pipeline", ReportAudience.Team, null, null)]
    [InlineData("everyone's pipeline", "pipeline", ReportAudience.Everyone, null, null)]
    [InlineData("pipleine for everyone", "pipeline", ReportAudience.Everyone, null, null)]
    [InlineData("pipeline for Rob", "pipeline", ReportAudience.Owner, "rob", null)]
    [InlineData("Rob's pipeline", "pipeline", ReportAudience.Owner, "rob", null)]
    [InlineData("pipeline for Jane Doe this month", "pipeline", ReportAudience.Owner, "jane doe", "2026-11-01")]
    [InlineData("win rate", "win rate", null, null, null)]
    [InlineData("win rate last quarter", "win rate", null, null, "2026-07-01")]
    [InlineData("team win rate 2026-01-01..2026-03-31", "win rate", ReportAudience.Team, null, "2026-01-01")]
    [InlineData("wni rate", "win rate", null, null, null)]
    [InlineData("forecast", "forecast", null, null, null)]
    [InlineData("forecast next quarter", "forecast", null, null, "2027-01-01")]
    [InlineData("team forecast this month", "forecast", ReportAudience.Team, null, "2026-11-01")]
    [InlineData("forcast for Rob", "forecast", ReportAudience.Owner, "rob", null)]
    [InlineData("sales cycle", "sales cycle", null, null, null)]
    [InlineData("everyone's sales cycle last quarter", "sales cycle", ReportAudience.Everyone, null, "2026-07-01")]
    [InlineData("my sales cycle", "sales cycle", ReportAudience.Mine, null, null)]
    [InlineData("conversion", "conversion", null, null, null)]
    [InlineData("conversion rate this quarter", "conversion", null, null, "2026-10-01")]
    [InlineData("Rob's conversion", "conversion", ReportAudience.Owner, "rob", null)]
    [InlineData("pipeline next quarter", "pipeline", null, null, "2027-01-01")]
    public void Read_Understood(string text, string report, ReportAudience? audience, string? owner, string? from)
    {
        var request = ReportsFeature.Read(new Utterance(text, Today));

        Assert.NotNull(request);
        Assert.Equal((report, audience, owner, from), (request.Report, request.Audience, request.Owner, request.Period is { } p ? CardData.Iso(p.From) : null));
    }

    [Theory]
    [InlineData("my deals")]                        // the rep's own list: DealFeature
    [InlineData("show me all my deals")]
    [InlineData("called Jane re pipeline review")]  // a log that mentions the pipeline
    [InlineData("pipeline this quarter last quarter")]
    [InlineData("win")]
    [InlineData("cycle")]
    [InlineData("forecast this quarter next quarter")]
    [InlineData("called Jane about the forecast for her budget")]
    public void Read_LeavesOthersAlone(string text) => Assert.Null(ReportsFeature.Read(new Utterance(text, Today)));

    /// <summary>A manager with two reps (one deal each), own deals in two currencies, and a deal outside the team.</summary>
    private static async Task<ConversationHost> ManagerWithTeamAsync(MemberRole role = MemberRole.Manager)
    {
        var host = new ConversationHost();
        var me = await host.MeAsync();
        await host.WithDbAsync(async db =>
        {
            (await db.Members.SingleAsync(m => m.Id == me.Id)).Role = role;
            var rob = new Member { Channel = "slack", TenantId = "T1", UserId = "U-rob", DisplayName = "Rob Rep", ManagerId = me.Id };
            var rae = new Member { Channel = "slack", TenantId = "T1", UserId = "U-rae", DisplayName = "Rae Rep", ManagerId = me.Id };
            var oscar = new Member { Channel = "slack", TenantId = "T1", UserId = "U-oscar", DisplayName = "Oscar Other" };
            db.Members.AddRange(rob, rae, oscar);
            await db.SaveChangesAsync();
            db.Deals.AddRange(
                new Deal { Name = "R1", Amount = 1000m, Currency = "USD", Stage = "Lead", OwnerId = rob.Id, ExpectedClose = new DateOnly(2026, 12, 10) },
                new Deal { Name = "A1", Amount = 3000m, Currency = "USD", Stage = "Negotiation", OwnerId = rae.Id },
                new Deal { Name = "M1", Amount = 500m, Currency = "EUR", Stage = "Proposal Sent", OwnerId = me.Id, ExpectedClose = new DateOnly(2027, 2, 1) },
                new Deal { Name = "O1", Amount = 10000m, Currency = "USD", Stage = "Lead", OwnerId = oscar.Id });
            return await db.SaveChangesAsync();
        });
        return host;
    }

    private static string Json(JsonNode node) => node.ToJsonString(Readable);

    [Fact]
    public async Task ManagersTeamDeals_PipelineCard_AChartPerCurrency_WithTextFallback_AndFacts()
    {
        using var host = await ManagerWithTeamAsync();

        var card = (await host.SayAsync("my team's deals")).Card(CardNames.ReportPipeline);

        var json = Json(card.Card);
        Assert.Contains("Pipeline: your team", json);
        Assert.Contains("EUR: 1 deal, 500 EUR, weighted", json);
        Assert.Contains("USD: 2 deals, 4,000 USD, weighted", json);
        Assert.DoesNotContain("10,000", json);   // Oscar is not in the team
        var charts = Elements(card.Card).Where(e => e["type"]!.GetValue<string>() == "Chart.VerticalBar").ToList();
        Assert.Equal(2, charts.Count);
        var usd = charts.Single(c => c["title"]!.GetValue<string>().Contains("USD"));
        Assert.Equal([("Lead", 1000m), ("Qualified", 0m), ("Meeting Scheduled", 0m), ("Proposal Sent", 0m), ("Negotiation", 3000m)],
            usd["data"]!.AsArray().Select(d => (d!["x"]!.GetValue<string>(), d["y"]!.GetValue<decimal>())));
        var bars = Elements(usd["fallback"]).Where(e => e["fontType"]?.GetValue<string>() == "Monospace").Select(e => e["text"]!.GetValue<string>()).ToList();
        Assert.Equal(5, bars.Count);
        Assert.EndsWith("3,000 USD (1)", bars[4]);
        Assert.Equal(new string('█', CardData.TextBarWidth), bars[4].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Single(bars.Select(b => b.IndexOfAny(['█', '·'])).Distinct());
        // The same figures as text, for screen readers and copy-paste.
        Assert.Matches("\"title\":\"Negotiation \\(\\d+%\\)\",\"value\":\"1 deal · 3,000 USD · weighted [0-9,]+ USD\"", json);
        Assert.Contains("3,000 USD (1)", card.FallbackText);
    }

    [Fact]
    public async Task PipelineThisQuarter_OnlyDealsExpectedToCloseInIt()
    {
        using var host = await ManagerWithTeamAsync();

        var json = Json((await host.SayAsync("pipeline this quarter")).Card(CardNames.ReportPipeline).Card);

        Assert.Contains("expected to close this quarter (2026-10-01 to 2026-12-31)", json);
        Assert.Contains("USD: 1 deal, 1,000 USD", json);
        Assert.DoesNotContain("EUR:", json);
    }

    [Fact]
    public async Task PipelineForARep_OfTheTeam_IsTheirs_ForSomeoneElse_IsRefused()
    {
        using var host = await ManagerWithTeamAsync(MemberRole.Admin);
        var json = Json((await host.SayAsync("Rob's pipeline")).Card(CardNames.ReportPipeline).Card);
        Assert.Contains("Pipeline: Rob Rep's deals", json);
        Assert.Contains("USD: 1 deal, 1,000 USD", json);

        await host.WithDbAsync(async db => { (await db.Members.SingleAsync(m => m.UserId == "U-rita")).Role = MemberRole.Manager; return await db.SaveChangesAsync(); });
        var refused = (await host.SayAsync("pipeline for Oscar")).Text();
        Assert.Contains("Oscar Other is not in your team", refused);
    }

    [Fact]
    public async Task RepAskingForEveryonesOrTeamPipeline_GetsAccessRefusal_AndOwnPipelineByDefault()
    {
        using var host = await ManagerWithTeamAsync(MemberRole.Rep);

        Assert.Equal("You see your own figures; a manager sees the team's, an admin everyone's.", (await host.SayAsync("everyone's pipeline")).Text());
        Assert.Equal("You see your own figures; a manager sees the team's, an admin everyone's.", (await host.SayAsync("team pipeline")).Text());
        var own = Json((await host.SayAsync("pipeline")).Card(CardNames.ReportPipeline).Card);
        Assert.Contains("Pipeline: your deals", own);
        Assert.Contains("EUR: 1 deal, 500 EUR", own);
        Assert.DoesNotContain("USD:", own);
    }

    [Fact]
    public async Task WinRate_ByCountAndAmount_DonutWithFallback_AndLossReasons()
    {
        using var host = await ManagerWithTeamAsync(MemberRole.Admin);
        var won = await host.DealAsync("Won one");
        var lost = await host.DealAsync("Lost one");
        await host.SayAsync("move Won one to closed won because signed");
        await host.SayAsync("yes");   // it skips stages: confirmed
        await host.SayAsync("move Lost one to closed lost because price");

        var replies = await host.SayAsync("win rate");
        var card = replies.Card(CardNames.ReportWinRate);
        Assert.True(Elements(card.Card).Any(e => e["type"]!.GetValue<string>() == "Chart.Donut"), replies.Text());

        var json = Json(card.Card);
        Assert.Contains("Deals closed this quarter (2026-10-01 to 2026-12-31)", json);
        Assert.Contains("50% by count: 1 won, 1 lost", json);
        var donut = Assert.Single(Elements(card.Card), e => e["type"]!.GetValue<string>() == "Chart.Donut");
        Assert.Equal([("Won", 1000m), ("Lost", 1000m)], donut["data"]!.AsArray().Select(d => (d!["legend"]!.GetValue<string>(), d["value"]!.GetValue<decimal>())));
        Assert.Contains(Elements(donut["fallback"]), e => e["text"]?.GetValue<string>() is { } t && t.StartsWith("Won ") && t.EndsWith("1,000 USD (1)"));
        var reasons = Assert.Single(Elements(card.Card), e => e["type"]!.GetValue<string>() == "Chart.HorizontalBar");
        Assert.Equal("price", reasons["data"]![0]!["x"]!.GetValue<string>());
        Assert.NotNull(reasons["fallback"]);
        Assert.Contains("\"title\":\"Win rate\",\"value\":\"50% by count · 50% by amount\"", json);

        var lastQuarter = Json((await host.SayAsync("win rate last quarter")).Card(CardNames.ReportWinRate).Card);
        Assert.Contains("No deal was won or lost in this period.", lastQuarter);
        Assert.DoesNotContain("Chart.", lastQuarter);
    }

    /// <summary>Every element or action in a card, nested ones included, fallbacks too.</summary>
    internal static IEnumerable<JsonObject> Elements(JsonNode? node) => node switch
    {
        JsonObject o => (o["type"] is JsonValue ? [o] : Array.Empty<JsonObject>()).Concat(o.SelectMany(p => Elements(p.Value))),
        JsonArray a => a.SelectMany(Elements),
        _ => [],
    };
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations.Reports;

/// <summary>
/// `forecast`, `sales cycle` and `conversion` in chat, over a small team whose numbers are worked out by hand in each
/// test (today is 2026-11-25: this quarter is October to December; every change at 12:00 UTC).
/// </summary>
public class SalesReportsChatTests
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static DateTime At(int month, int day) => new(2026, month, day, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The manager (Rita) with one rep, Rob, and Oscar outside the team. Each deal's history starts with its creation
    /// in Lead, as DealService writes it.
    /// W1 Rob 2,000 USD: Lead 5 Oct, Proposal Sent 10 Oct, won 15 Oct. L1 Rob 1,000 USD: Lead 5 Oct, lost 25 Oct.
    /// W2 Rita 500 EUR: Lead 1 Oct, won 8 Oct. Open: A1 Rob 3,000 USD Negotiation (Lead 1 Nov, Negotiation 5 Nov),
    /// expected 10 Dec; R1 Rita 1,000 USD Lead (10 Nov), expected 20 Dec; N1 Rob 2,000 USD Proposal Sent (Lead 2 Nov,
    /// Proposal Sent 12 Nov), expected 1 Feb 2027. O1 Oscar 9,000 USD Negotiation (1 Nov), expected 10 Dec.
    /// </summary>
    private static async Task<ConversationHost> TeamAsync(MemberRole role = MemberRole.Manager)
    {
        var host = new ConversationHost();
        var me = await host.MeAsync();
        await host.WithDbAsync(async db =>
        {
            (await db.Members.SingleAsync(m => m.Id == me.Id)).Role = role;
            var rob = new Member { Channel = "slack", TenantId = "T1", UserId = "U-rob", DisplayName = "Rob Rep", ManagerId = me.Id };
            var oscar = new Member { Channel = "slack", TenantId = "T1", UserId = "U-oscar", DisplayName = "Oscar Other" };
            db.Members.AddRange(rob, oscar);
            await db.SaveChangesAsync();
            Deal D(string name, decimal amount, string currency, Member? owner, DateOnly? expected, params (string Stage, DateTime At)[] history) => new()
            {
                Name = name, Amount = amount, Currency = currency, OwnerId = owner?.Id ?? me.Id, ExpectedClose = expected,
                Stage = history[^1].Stage, CreatedAt = history[0].At, UpdatedAt = history[^1].At,
                StageHistory = history.Select((h, i) => new DealStageChange
                {
                    FromStage = i == 0 ? null : history[i - 1].Stage, ToStage = h.Stage, ChangedAt = h.At,
                    Reason = h.Stage.StartsWith("Closed", StringComparison.Ordinal) ? "because" : null,
                }).ToList(),
            };
            db.Deals.AddRange(
                D("W1", 2000m, "USD", rob, null, ("Lead", At(10, 5)), ("Proposal Sent", At(10, 10)), ("Closed Won", At(10, 15))),
                D("L1", 1000m, "USD", rob, null, ("Lead", At(10, 5)), ("Closed Lost", At(10, 25))),
                D("W2", 500m, "EUR", null, null, ("Lead", At(10, 1)), ("Closed Won", At(10, 8))),
                D("A1", 3000m, "USD", rob, new DateOnly(2026, 12, 10), ("Lead", At(11, 1)), ("Negotiation", At(11, 5))),
                D("R1", 1000m, "USD", null, new DateOnly(2026, 12, 20), ("Lead", At(11, 10))),
                D("N1", 2000m, "USD", rob, new DateOnly(2027, 2, 1), ("Lead", At(11, 2)), ("Proposal Sent", At(11, 12))),
                D("O1", 9000m, "USD", oscar, new DateOnly(2026, 12, 10), ("Negotiation", At(11, 1))));
            return await db.SaveChangesAsync();
        });
        return host;
    }

    private static string Json(JsonNode node) => node.ToJsonString(Readable);

    private static IEnumerable<JsonObject> Elements(JsonNode? node) => ReportsChatTests.Elements(node);

    private static JsonObject Chart(JsonObject card, string type, string? titled = null) =>
        Assert.Single(Elements(card), e => e["type"]!.GetValue<string>() == type && (titled is null || e["title"]!.GetValue<string>().Contains(titled)));

    private static List<(string, decimal)> Data(JsonObject chart) =>
        chart["data"]!.AsArray().Select(d => (d!["x"]!.GetValue<string>(), d["y"]!.GetValue<decimal>())).ToList();

    private static List<string> Bars(JsonObject chart) =>
        Elements(chart["fallback"]).Where(e => e["fontType"]?.GetValue<string>() == "Monospace").Select(e => e["text"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task TeamForecast_ThisQuarter_CommittedBestCaseWeightedWon_PerCurrency()
    {
        using var host = await TeamAsync();

        var card = (await host.SayAsync("forecast")).Card(CardNames.ReportForecast);

        var json = Json(card.Card);
        Assert.Contains("Forecast: your team", json);
        Assert.Contains("Open deals expected to close this quarter (2026-10-01 to 2026-12-31)", json);
        // Due this quarter in the team: A1 (Negotiation, 80%: committed) and R1 (Lead, 10%). Won: W1 (USD), W2 (EUR).
        // Weighted: 3,000 × 0.8 + 1,000 × 0.1 = 2,500. Oscar's O1 is not the team's.
        var usd = Chart(card.Card, "Chart.VerticalBar", "USD");
        Assert.Equal([("Committed", 3000m), ("Best case", 4000m), ("Weighted", 2500m), ("Won", 2000m)], Data(usd));
        Assert.Equal(
        [
            "Committed ████████████···· 3,000 USD (1)",
            "Best case ████████████████ 4,000 USD (2)",
            "Weighted  ██████████······     2,500 USD",
            "Won       ████████········ 2,000 USD (1)",
        ], Bars(usd));
        var eur = Chart(card.Card, "Chart.VerticalBar", "EUR");
        Assert.Equal([("Committed", 0m), ("Best case", 0m), ("Weighted", 0m), ("Won", 500m)], Data(eur));
        Assert.Contains("\"title\":\"Committed\",\"value\":\"1 deal · 3,000 USD\"", json);
        Assert.Contains("\"title\":\"Best case\",\"value\":\"2 deals · 4,000 USD\"", json);
        Assert.Contains("\"title\":\"Weighted\",\"value\":\"2,500 USD\"", json);
        Assert.Contains("\"title\":\"Closed won\",\"value\":\"1 deal · 500 EUR\"", json);
        Assert.DoesNotContain("9,000", json);
        Assert.DoesNotContain("no expected close", json);
        Assert.Contains("USD: best case 4,000 USD, won 2,000 USD", card.FallbackText);
        Assert.Contains("Best case ████████████████ 4,000 USD (2)", card.FallbackText);
    }

    [Fact]
    public async Task ForecastNextQuarter_AndForARep_AndEveryone()
    {
        using var host = await TeamAsync(MemberRole.Admin);

        // N1 (Proposal Sent, 60%) is due 1 February: best case only; nothing won yet.
        var next = (await host.SayAsync("forecast next quarter")).Card(CardNames.ReportForecast);
        Assert.Contains("next quarter (2027-01-01 to 2027-03-31)", Json(next.Card));
        Assert.Equal([("Committed", 0m), ("Best case", 2000m), ("Weighted", 1200m), ("Won", 0m)], Data(Chart(next.Card, "Chart.VerticalBar")));

        // Rob this quarter: A1 due (Negotiation, 80%: committed), W1 won; N1 is next quarter's.
        var rob = (await host.SayAsync("forecast for Rob")).Card(CardNames.ReportForecast);
        Assert.Contains("Forecast: Rob Rep's deals", Json(rob.Card));
        Assert.Equal([("Committed", 3000m), ("Best case", 3000m), ("Weighted", 2400m), ("Won", 2000m)], Data(Chart(rob.Card, "Chart.VerticalBar")));

        // Everyone this quarter: O1 joins the committed (3,000 + 9,000) and weighted (2,500 + 7,200).
        var everyone = (await host.SayAsync("everyone's forecast")).Card(CardNames.ReportForecast);
        Assert.Equal([("Committed", 12000m), ("Best case", 13000m), ("Weighted", 9700m), ("Won", 2000m)], Data(Chart(everyone.Card, "Chart.VerticalBar", "USD")));

        var empty = Json((await host.SayAsync("forecast 2025-01-01..2025-03-31")).Card(CardNames.ReportForecast).Card);
        Assert.Contains("No open deal is expected to close in this period and none was won in it.", empty);
        Assert.DoesNotContain("Chart.", empty);
    }

    [Fact]
    public async Task TeamSalesCycle_MediansToClose_AndDaysPerStage()
    {
        using var host = await TeamAsync();

        var card = (await host.SayAsync("sales cycle")).Card(CardNames.ReportSalesCycle);

        var json = Json(card.Card);
        Assert.Contains("Sales cycle: your team", json);
        Assert.Contains("Deals closed this quarter (2026-10-01 to 2026-12-31)", json);
        // Closed: W2 after 7 days, W1 after 10 (both won), L1 after 20 (lost).
        Assert.Contains("Median 10 days from creation to close", json);
        Assert.Contains("\"title\":\"Won\",\"value\":\"8.5 days (over 2 deals)\"", json);
        Assert.Contains("\"title\":\"Lost\",\"value\":\"20 days (over 1 deal)\"", json);
        Assert.Contains("\"title\":\"All closed\",\"value\":\"10 days (over 3 deals)\"", json);
        // Stays in Lead: W1 5, W2 7, L1 20 days; in Proposal Sent: W1 5 days. Open deals' stays are not counted.
        var chart = Chart(card.Card, "Chart.HorizontalBar");
        Assert.Equal([("Lead", 7m), ("Qualified", 0m), ("Meeting Scheduled", 0m), ("Proposal Sent", 5m), ("Negotiation", 0m)], Data(chart));
        Assert.Equal(
        [
            "Lead              ████████████████ 7 days",
            "Qualified         ················      –",
            "Meeting Scheduled ················      –",
            "Proposal Sent     ███████████····· 5 days",
            "Negotiation       ················      –",
        ], Bars(chart));
        Assert.Contains("\"title\":\"Lead\",\"value\":\"7 days (over 3 deals)\"", json);
        Assert.Contains("Won: 8.5 days (over 2 deals)", card.FallbackText);
        Assert.Contains("Proposal Sent     ███████████····· 5 days", card.FallbackText);

        // One rep's figures in a team this small would tell the others' apart: only an admin sees them.
        Assert.Contains("Figures for one person show for teams of at least", (await host.SayAsync("Rob's sales cycle")).Text());
        await host.WithDbAsync(async db => { (await db.Members.SingleAsync(m => m.UserId == "U-rita")).Role = MemberRole.Admin; return await db.SaveChangesAsync(); });
        var rob = Json((await host.SayAsync("Rob's sales cycle")).Card(CardNames.ReportSalesCycle).Card);
        // Rob's: W1 10 days, L1 20 days.
        Assert.Contains("Median 15 days from creation to close", rob);
        Assert.Contains("\"title\":\"Lead\",\"value\":\"12.5 days (over 2 deals)\"", rob);

        var empty = Json((await host.SayAsync("sales cycle last quarter")).Card(CardNames.ReportSalesCycle).Card);
        Assert.Contains("No deal was won or lost in this period.", empty);
        Assert.DoesNotContain("Chart.", empty);
    }

    [Fact]
    public async Task TeamConversion_SharePerStage_AndCreatedToWon()
    {
        using var host = await TeamAsync();

        var card = (await host.SayAsync("conversion")).Card(CardNames.ReportConversion);

        var json = Json(card.Card);
        Assert.Contains("Conversion: your team", json);
        // Created this quarter: W1, L1, W2, A1, R1, N1; won since: W1, W2.
        Assert.Contains("2 of 6 deals created won since (33.3%)", json);
        // Lead: all six entered, W1, W2, A1, N1 moved on (L1 was lost, R1 is still there). Proposal Sent: W1 (won) and
        // N1 (still there). Negotiation: A1, still there.
        var chart = Chart(card.Card, "Chart.VerticalBar");
        Assert.Equal([("Lead", 66.7m), ("Qualified", 0m), ("Meeting Scheduled", 0m), ("Proposal Sent", 50m), ("Negotiation", 0m)], Data(chart));
        Assert.Equal(
        [
            "Lead              ████████████████ 66.7% (4/6)",
            "Qualified         ················     – (0/0)",
            "Meeting Scheduled ················     – (0/0)",
            "Proposal Sent     ████████████····   50% (1/2)",
            "Negotiation       ················    0% (0/1)",
        ], Bars(chart));
        Assert.Contains("\"title\":\"Lead\",\"value\":\"4 of 6 deals moved on (66.7%)\"", json);
        Assert.Contains("\"title\":\"Qualified\",\"value\":\"none entered\"", json);
        Assert.Contains("\"title\":\"Negotiation\",\"value\":\"0 of 1 deal moved on (0%)\"", json);
        Assert.Contains("Lead              ████████████████ 66.7% (4/6)", card.FallbackText);

        var empty = Json((await host.SayAsync("conversion last quarter")).Card(CardNames.ReportConversion).Card);
        Assert.Contains("No deal entered a stage in this period.", empty);
        Assert.DoesNotContain("Chart.", empty);
    }

    [Fact]
    public async Task RepAskingForTheTeamsForecast_IsRefused_AndGetsTheirOwnByDefault()
    {
        using var host = await TeamAsync(MemberRole.Rep);

        Assert.Equal("You see your own figures; a manager sees the team's, an admin everyone's.", (await host.SayAsync("team forecast")).Text());
        var own = (await host.SayAsync("conversion")).Card(CardNames.ReportConversion);
        // Rita's own: W2 and R1 entered Lead; W2 was won.
        Assert.Contains("Conversion: your deals", Json(own.Card));
        Assert.Contains(("Lead", 50m), Data(Chart(own.Card, "Chart.VerticalBar")));
    }
}

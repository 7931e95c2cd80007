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
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Conversations.Reports;

/// <summary>
/// `stale deals` (with its Log and follow-up buttons) and `team activity` in chat. Now is 2026-11-25 15:00 UTC.
/// Rita manages Rob and Rae (a team of two, below Feedback:MinResponses = 5).
///   Initech renewal: Rob, 12,000 USD, Proposal Sent, contact Jane Doe, created 10-01 12:00 → idle 55 days
///   Globex pilot:    Rae, 500 EUR, Lead, no contact, created 10-01 12:00                   → idle 55 days
///   Hooli:           Rita, 1,000 USD, Lead, created 11-05 12:00                              → idle 20 days
///   Fresh:           Rob, created 11-20                                                    → not stale
/// Activities logged in November: Rob 6, Rae 3; Rita 1 in October. Rob's follow-ups: due 11-10 done 11-09 (on time),
/// due 11-12 done 11-13 (late). November has 30/7 weeks: Rob 1.4 a week, Rae 0.7, the whole 9 → 2.1.
/// </summary>
public class TeamReportsChatTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static DateTime At(int mo, int d, int h = 12) => new(2026, mo, d, h, 0, 0, DateTimeKind.Utc);

    private sealed record World(ConversationHost Host, Member Rob, Member Rae, Contact Jane, int InitechId);

    private static async Task<World> TeamAsync(MemberRole role = MemberRole.Manager)
    {
        var host = new ConversationHost();
        var now = host.Clock.Now;
        var me = await host.MeAsync();
        var (rob, rae) = await host.WithDbAsync(async db =>
        {
            (await db.Members.SingleAsync(m => m.Id == me.Id)).Role = role;
            var rob = new Member { Channel = "slack", TenantId = "T1", UserId = "U-rob", DisplayName = "Rob Rep", ManagerId = me.Id };
            var rae = new Member { Channel = "slack", TenantId = "T1", UserId = "U-rae", DisplayName = "Rae Rep", ManagerId = me.Id };
            db.Members.AddRange(rob, rae);
            await db.SaveChangesAsync();
            return (rob, rae);
        });
        var jane = await host.ContactAsync("Jane", "Doe");

        async Task<Deal> DealAsync(string name, Member owner, decimal amount, string currency, string stage, DateTime created, int? contactId = null)
        {
            host.Clock.Set(created);
            await using var scope = host.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<DealService>().CreateAsync(
                new NewDeal(name, amount, stage, ContactId: contactId, Currency: currency), MemberService.ActorFor(owner, "slack"), default);
        }
        var initech = await DealAsync("Initech renewal", rob, 12000m, "USD", "Proposal Sent", At(10, 1), jane.Id);
        await DealAsync("Globex pilot", rae, 500m, "EUR", "Lead", At(10, 1));
        await DealAsync("Hooli", me, 1000m, "USD", "Lead", At(11, 5));
        await DealAsync("Fresh", rob, 100m, "USD", "Lead", At(11, 20));

        host.Clock.Set(now);
        await host.WithDbAsync(db =>
        {
            Activity Logged(Member by, DateTime at) => new()
            {
                Type = ActivityType.Call, ContactId = jane.Id, LoggedById = by.Id, Channel = "slack", OccurredAt = at, CreatedAt = at,
            };
            db.Activities.AddRange(Enumerable.Range(2, 6).Select(d => Logged(rob, At(11, d))));
            db.Activities.AddRange(Enumerable.Range(2, 3).Select(d => Logged(rae, At(11, d))));
            db.Activities.Add(Logged(me, At(10, 20)));
            db.FollowUps.AddRange(
                new FollowUp { Title = "On time", AssigneeId = rob.Id, DueAt = At(11, 10, 23), Status = FollowUpStatus.Done, CompletedAt = At(11, 9), CreatedAt = At(11, 1) },
                new FollowUp { Title = "Late", AssigneeId = rob.Id, DueAt = At(11, 12, 23), Status = FollowUpStatus.Done, CompletedAt = At(11, 13), CreatedAt = At(11, 1) });
            return db.SaveChangesAsync();
        });
        return new World(host, rob, rae, jane, initech.Id);
    }

    private static string Json(JsonNode node) => node.ToJsonString(Readable);

    /// <summary>The card a message is answered with, and its JSON as text.</summary>
    private static async Task<(CardReply Card, string Json)> AskAsync(ConversationHost host, string text, string cardName)
    {
        var card = (await host.SayAsync(text)).Card(cardName);
        return (card, Json(card.Card));
    }
    private static IEnumerable<JsonObject> Elements(JsonNode? node) => ReportsChatTests.Elements(node);

    [Theory]
    [InlineData("stale deals", null, null)]
    [InlineData("stale deals 30 days", null, 30)]
    [InlineData("deals idle for 30 days", null, 30)]
    [InlineData("my team's stale deals", ReportAudience.Team, null)]
    [InlineData("everyone's stale deals", ReportAudience.Everyone, null)]
    [InlineData("my stale deals", ReportAudience.Mine, null)]
    public void Read_StaleDeals(string text, ReportAudience? audience, int? days)
    {
        var request = ReportsFeature.Read(new Utterance(text, Today));

        Assert.NotNull(request);
        Assert.Equal(("stale deals", audience, days), (request.Report, request.Audience, request.Days));
    }

    [Theory]
    [InlineData("team activity", null, null)]
    [InlineData("team activity last quarter", null, "2026-07-01")]
    [InlineData("everyone's activity", ReportAudience.Everyone, null)]
    public void Read_TeamActivity(string text, ReportAudience? audience, string? from)
    {
        var request = ReportsFeature.Read(new Utterance(text, Today));

        Assert.NotNull(request);
        Assert.Equal(("team activity", audience, from), (request.Report, request.Audience, request.Period is { } p ? CardData.Iso(p.From) : null));
    }

    [Theory]
    [InlineData("activity")]                     // alone: not a report
    [InlineData("pipeline 30 days")]             // days belong to stale deals
    [InlineData("stale deals this quarter")]
    public void Read_LeavesOthersAlone(string text) => Assert.Null(ReportsFeature.Read(new Utterance(text, Today)));

    [Fact]
    public async Task StaleDeals_ManagersTeam_OldestFirst_WithChartFallbackFactsAndButtons()
    {
        var w = await TeamAsync();
        using var host = w.Host;

        var (card, json) = await AskAsync(host, "stale deals", CardNames.ReportStaleDeals);

        Assert.Contains("Stale deals: your team", json);
        Assert.Contains("3 deals with no activity or stage change in 14 days, oldest touch first", json);
        var chart = Assert.Single(Elements(card.Card), e => e["type"]!.GetValue<string>() == "Chart.HorizontalBar");
        Assert.Equal([("Initech renewal", 55), ("Globex pilot", 55), ("Hooli", 20)],
            chart["data"]!.AsArray().Select(d => (d!["x"]!.GetValue<string>(), d["y"]!.GetValue<int>())));
        var bars = Elements(chart["fallback"]).Where(e => e["fontType"]?.GetValue<string>() == "Monospace").Select(e => e["text"]!.GetValue<string>()).ToList();
        Assert.Equal(3, bars.Count);
        Assert.EndsWith("20 days", bars[2]);
        Assert.Contains("\"title\":\"Owner\",\"value\":\"Rob Rep\"", json);
        Assert.Contains("\"title\":\"Amount\",\"value\":\"12,000 USD\"", json);
        Assert.Contains("\"title\":\"Amount\",\"value\":\"500 EUR\"", json);
        Assert.Contains("\"title\":\"Idle\",\"value\":\"55 days\"", json);
        Assert.Contains("\"title\":\"Last touch\",\"value\":\"2026-10-01 (stage change)\"", json);
        Assert.DoesNotContain("Fresh", json);
        Assert.Equal(3, ConversationHost.Actions(card.Card).Count(a => a["title"]!.GetValue<string>() == "Log"));
        Assert.Contains("Initech renewal · Rob Rep · Proposal Sent · 12,000 USD · idle 55 days", card.FallbackText);

        var longer = Json((await host.SayAsync("deals idle for 30 days")).Card(CardNames.ReportStaleDeals).Card);
        Assert.Contains("2 deals with no activity or stage change in 30 days", longer);
        Assert.DoesNotContain("Hooli", longer);
    }

    [Fact]
    public async Task StaleDeals_Rep_SeesOwn_AndBeyondAPage_SaysHowManyMore()
    {
        var w = await TeamAsync();
        using var host = w.Host;
        host.Rep = new ChatUser("slack", "T1", "U-rob", "Rob Rep", "UTC");

        var own = Json((await host.SayAsync("stale deals")).Card(CardNames.ReportStaleDeals).Card);
        Assert.Contains("Stale deals: your deals", own);
        Assert.Contains("1 deal with no activity", own);
        Assert.DoesNotContain("Globex", own);

        for (var i = 0; i < 11; i++) await host.WithDbAsync(db =>
        {
            db.Deals.Add(new Deal { Name = $"Old {i}", Stage = "Lead", OwnerId = w.Rob.Id, CreatedAt = At(9, 1) });
            return db.SaveChangesAsync();
        });
        var card = (await host.SayAsync("my stale deals")).Card(CardNames.ReportStaleDeals);
        Assert.Equal(10, ConversationHost.Actions(card.Card).Count(a => a["title"]!.GetValue<string>() == "Log"));
        Assert.Contains("and 2 more", Json(card.Card));
    }

    [Fact]
    public async Task StaleDeals_Log_OpensTheFormForTheDealsContact()
    {
        var w = await TeamAsync();
        using var host = w.Host;
        var card = (await host.SayAsync("stale deals")).Card(CardNames.ReportStaleDeals);

        var form = (await host.ClickAsync(card, "Log", nth: 0)).Card(CardNames.LogForm);

        Assert.Contains("\"value\":\"Jane Doe\"", Json(form.Card));
    }

    [Fact]
    public async Task StaleDeals_FollowUp_PressedByAnotherMember_IsTheirs_AndSurvivesADeletedDeal()
    {
        var w = await TeamAsync();
        using var host = w.Host;
        var card = (await host.SayAsync("stale deals")).Card(CardNames.ReportStaleDeals);

        // Rob presses the button on the card his manager was shown, after the deal was deleted.
        await host.WithDbAsync(async db =>
        {
            await db.DealStageChanges.Where(c => c.DealId == w.InitechId).ExecuteDeleteAsync();
            return await db.Deals.Where(d => d.Id == w.InitechId).ExecuteDeleteAsync();
        });
        host.Rep = new ChatUser("slack", "T1", "U-rob", "Rob Rep", "UTC");
        var replies = await host.ClickAsync(card, "Follow up in a week", nth: 0);

        Assert.Equal("Follow-up set: Follow up on Initech renewal, due Wed 2 Dec.", replies.Text());
        var made = await host.WithDbAsync(db => db.FollowUps.Where(f => f.Title == "Follow up on Initech renewal").ToListAsync());
        var one = Assert.Single(made);
        Assert.Equal((w.Rob.Id, (int?)w.Jane.Id, new DateOnly(2026, 12, 2)), (one.AssigneeId, one.ContactId, DateOnly.FromDateTime(one.DueAt)));
    }

    [Fact]
    public async Task TeamActivity_Admin_PerRepPerWeek_ChartWithFallback_AndFollowUpsOnTime()
    {
        var w = await TeamAsync(MemberRole.Admin);
        using var host = w.Host;

        var (card, json) = await AskAsync(host, "team activity", CardNames.ReportTeamActivity);

        Assert.Contains("Team activity: everyone", json);
        Assert.Contains("Activities logged this month (2026-11-01 to 2026-11-30)", json);
        Assert.Contains("\"title\":\"Activities\",\"value\":\"9 activities · 2.1 a week\"", json);
        Assert.Contains("\"title\":\"Follow-ups\",\"value\":\"1 of 2 on time (50%)\"", json);
        Assert.Contains("\"title\":\"Rob Rep\",\"value\":\"6 activities · 1.4 a week · follow-ups 1 of 2 on time (50%)\"", json);
        Assert.Contains("\"title\":\"Rae Rep\",\"value\":\"3 activities · 0.7 a week · follow-ups none due\"", json);
        var chart = Assert.Single(Elements(card.Card), e => e["type"]!.GetValue<string>() == "Chart.HorizontalBar");
        var data = chart["data"]!.AsArray().ToDictionary(d => d!["x"]!.GetValue<string>(), d => d!["y"]!.GetValue<double>());
        Assert.Equal((1.4, 0.7), (data["Rob Rep"], data["Rae Rep"]));
        var bars = Elements(chart["fallback"]).Where(e => e["fontType"]?.GetValue<string>() == "Monospace").Select(e => e["text"]!.GetValue<string>()).ToList();
        Assert.Contains(bars, b => b.StartsWith("Rob Rep", StringComparison.Ordinal) && b.Contains(new string('█', CardData.TextBarWidth)) && b.EndsWith("1.4/week (6)"));
        Assert.Contains("Rob Rep: 6 activities", card.FallbackText);
    }

    [Fact]
    public async Task TeamActivity_ManagerOfASmallTeam_GetsTotals_AndWhyPerRepIsWithheld_ARepTheirOwnRow()
    {
        var w = await TeamAsync();
        using var host = w.Host;

        var (_, json) = await AskAsync(host, "team activity", CardNames.ReportTeamActivity);
        Assert.Contains("\"title\":\"Activities\",\"value\":\"9 activities · 2.1 a week\"", json);
        Assert.Contains("Figures per rep are withheld: they show for teams of at least 5 members.", json);
        Assert.DoesNotContain("Rob Rep", json);
        Assert.DoesNotContain("Chart.", json);

        host.Rep = new ChatUser("slack", "T1", "U-rae", "Rae Rep", "UTC");
        var own = Json((await host.SayAsync("team activity")).Card(CardNames.ReportTeamActivity).Card);
        Assert.Contains("Activity: yours", own);
        Assert.Contains("\"title\":\"Rae Rep\",\"value\":\"3 activities · 0.7 a week", own);
        Assert.DoesNotContain("Rob Rep", own);
    }
}

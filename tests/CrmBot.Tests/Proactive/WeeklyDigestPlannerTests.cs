using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using CrmBot.Fakes.Slack;
using CrmBot.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Proactive;

public sealed class WeeklyDigestPlannerTests : IDisposable
{
    // Sunday 22 Nov 2026, 12:00 UTC: before anyone's Monday morning. Last week is Mon 16 – Sun 22 Nov.
    private static readonly DateTimeOffset Sunday = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly SharedFileStore _store = new();
    private readonly ManualClock _clock = new(Sunday);
    private readonly ProactiveHost _host;

    public WeeklyDigestPlannerTests() => _host = new ProactiveHost(_store, _clock, Settings());

    // The planner reads Feedback:MinResponses, and the Feedback section is validated whole: it needs a participation
    // key, which a store in the temp folder may not keep beside itself.
    private static Dictionary<string, string?> Settings(string? minResponses = null)
    {
        var settings = new Dictionary<string, string?> { ["Feedback:ParticipationKey"] = Convert.ToBase64String(new byte[32]) };
        if (minResponses is not null) settings["Feedback:MinResponses"] = minResponses;
        return settings;
    }

    public void Dispose()
    {
        _host.Dispose();
        _store.Dispose();
    }

    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    private static async Task<int> PlanAsync(ProactiveHost host)
    {
        await using var scope = host.Scope();
        return await scope.ServiceProvider.GetRequiredService<WeeklyDigestPlanner>().PlanDueAsync(default);
    }

    private Task<int> PlanAsync() => PlanAsync(_host);

    private async Task<Dictionary<int, OutboxMessage>> WeekliesAsync()
    {
        await using var db = _store.NewContext();
        return await db.Outbox.AsNoTracking().Where(o => o.Kind == OutboxKinds.WeeklyDigest).ToDictionaryAsync(o => o.MemberId!.Value);
    }

    private async Task<Member> MemberAsync(string name, string zone, MemberRole role, Member? manager = null) =>
        await _host.UpdateMemberAsync((await _host.MemberAsync(name, zone)).Id, m =>
        {
            m.Role = role;
            m.ManagerId = manager?.Id;
        });

    private async Task<Deal> DealAsync(Member owner, string name, decimal amount, string stage, DateTimeOffset at, string currency = "USD",
        DateOnly? expectedClose = null)
    {
        _clock.Set(at);
        await using var scope = _host.Scope();
        return await scope.ServiceProvider.GetRequiredService<DealService>()
            .CreateAsync(new NewDeal(name, amount, stage, Currency: currency, ExpectedClose: expectedClose), MemberService.ActorFor(owner, owner.Channel), default);
    }

    private async Task MoveAsync(Deal deal, Member by, string stage, DateTimeOffset at, string? reason = null)
    {
        _clock.Set(at);
        await using var scope = _host.Scope();
        var move = await scope.ServiceProvider.GetRequiredService<DealService>()
            .MoveAsync(deal.Id, stage, reason, MemberService.ActorFor(by, by.Channel), default);
        Assert.Equal(StageMoveStatus.Moved, move.Status);
    }

    private static string Text(OutboxMessage row) => ProactivePayload.FromJson(row.PayloadJson).Text;

    /// <summary>The member's weekly digest, planned Monday 23 Nov at 10:00 UTC: its text.</summary>
    private async Task<string> MondayDigestAsync(Member member)
    {
        _clock.Set(Utc(23, 10));
        await PlanAsync();
        return Text((await WeekliesAsync())[member.Id]);
    }

    /// <summary>The admin's digest of everyone's deals, planned Monday 23 Nov at 10:00 UTC: its text.</summary>
    private async Task<string> EveryonesDigestAsync(Member admin)
    {
        await _host.UpdateMemberAsync(admin.Id, m => m.WeeklyDigestEveryone = true);
        return await MondayDigestAsync(admin);
    }

    [Fact]
    public async Task MondayAtTheirDigestTime_InTheirOwnZone_ManagersAndAdmins_NeverReps()
    {
        var tokyo = await MemberAsync("Aiko", "Asia/Tokyo", MemberRole.Admin);            // 09:00 Monday = 00:00 UTC
        var berlin = await MemberAsync("Bernd", "Europe/Berlin", MemberRole.Manager);     // 09:00 Monday = 08:00 UTC
        var newYork = await MemberAsync("Carla", "America/New_York", MemberRole.Manager); // 09:00 Monday = 14:00 UTC
        var rep = await MemberAsync("Rita", "UTC", MemberRole.Rep);
        await DealAsync(rep, "Open deal", 1000m, "Lead", Sunday);

        (DateTimeOffset At, int[] Planned)[] steps =
        [
            (Utc(22, 23, 59), []),
            (Utc(23, 0), [tokyo.Id]),
            (Utc(23, 7, 59), [tokyo.Id]),
            (Utc(23, 8), [tokyo.Id, berlin.Id]),
            (Utc(23, 13, 59), [tokyo.Id, berlin.Id]),
            (Utc(23, 14), [tokyo.Id, berlin.Id, newYork.Id]),
            (Utc(24, 3), [tokyo.Id, berlin.Id, newYork.Id]),
        ];
        foreach (var (at, planned) in steps)
        {
            _clock.Set(at);
            await PlanAsync();
            Assert.Equal(planned.Order(), (await WeekliesAsync()).Keys.Order());
        }
        var rows = await WeekliesAsync();
        Assert.Equal($"weekly:{tokyo.Id}:2026-11-23", rows[tokyo.Id].DedupeKey);
        Assert.Equal($"weekly:{newYork.Id}:2026-11-23", rows[newYork.Id].DedupeKey);
        Assert.Equal(Utc(23, 8).UtcDateTime, rows[berlin.Id].NotBefore);
        Assert.DoesNotContain(rep.Id, rows.Keys);
    }

    [Fact]
    public async Task LateStartOnMonday_StillSendsThatMondays_ATuesdayStartDoesNot_NextMondayAgain()
    {
        var mia = await MemberAsync("Mia", "UTC", MemberRole.Manager);
        await DealAsync(mia, "Open deal", 1000m, "Lead", Sunday);

        _clock.Set(Utc(24, 9, 30));   // Tuesday: the service was down all Monday
        Assert.Equal(0, await PlanAsync());
        Assert.Empty(await WeekliesAsync());

        _clock.Set(Utc(30, 23, 50));  // the next Monday, late
        Assert.Equal(1, await PlanAsync());
        Assert.Equal($"weekly:{mia.Id}:2026-11-30", Assert.Single(await WeekliesAsync()).Value.DedupeKey);
    }

    [Fact]
    public async Task TwoInstancesAndRestarts_PlanEachMondayOnce()
    {
        var managers = new List<Member>();
        for (var i = 0; i < 4; i++)
        {
            var m = await MemberAsync("Boss" + i, "UTC", MemberRole.Manager);
            await DealAsync(m, "Deal " + i, 100m * (i + 1), "Lead", Sunday);
            managers.Add(m);
        }
        _clock.Set(Utc(23, 10));
        using var other = new ProactiveHost(_store, _clock, Settings());
        for (var pass = 0; pass < 3; pass++)
            await Task.WhenAll(PlanAsync(_host), PlanAsync(other), PlanAsync(_host), PlanAsync(other));
        // A restart later that Monday.
        _clock.Set(Utc(23, 16));
        using (var restarted = new ProactiveHost(_store, _clock, Settings())) Assert.Equal(0, await PlanAsync(restarted));

        var rows = await WeekliesAsync();
        Assert.Equal(managers.Select(m => m.Id).Order(), rows.Keys.Order());
        Assert.All(rows.Values, r => Assert.Equal(OutboxStatus.Pending, r.Status));
    }

    [Fact]
    public async Task OptedOut_None_OptedBackIn_One()
    {
        var mia = await MemberAsync("Mia", "Europe/Berlin", MemberRole.Manager);
        await DealAsync(mia, "Open deal", 1000m, "Lead", Sunday);
        await _host.UpdateMemberAsync(mia.Id, m => m.WeeklyDigestEnabled = false);

        _clock.Set(Utc(23, 10));
        await PlanAsync();
        Assert.Empty(await WeekliesAsync());

        await _host.UpdateMemberAsync(mia.Id, m => m.WeeklyDigestEnabled = true);
        await PlanAsync();
        Assert.Single(await WeekliesAsync());
    }

    [Fact]
    public async Task OwnDigestTime_IsTheWeeklyDigestsTimeToo_TheMorningDigestBeingOffDoesNotMatter()
    {
        var mia = await MemberAsync("Mia", "Europe/Berlin", MemberRole.Manager);
        await DealAsync(mia, "Open deal", 1000m, "Lead", Sunday);
        await _host.UpdateMemberAsync(mia.Id, m =>
        {
            m.DigestTime = new TimeOnly(7, 30);
            m.DigestEnabled = false;
        });

        _clock.Set(Utc(23, 6, 29));   // 07:29 Berlin
        await PlanAsync();
        Assert.Empty(await WeekliesAsync());
        _clock.Set(Utc(23, 6, 30));   // 07:30 Berlin
        await PlanAsync();
        Assert.Single(await WeekliesAsync());
    }

    /// <summary>
    /// Mia manages Rob and Rae (a team of two, under Feedback:MinResponses = 5); Oscar has no manager; Ada is an admin.
    /// Last week: Rob won Initech (Lead → Closed Won, 2,000 USD), Rae moved Globex back (Negotiation → Qualified,
    /// 800 EUR), Oscar moved Umbrella forward (Lead → Proposal Sent, 9,000 USD). Before it, Rob moved Hooli.
    /// </summary>
    private async Task<(Member Mia, Member Ada)> TeamWithLastWeeksMovesAsync()
    {
        var mia = await MemberAsync("Mia", "UTC", MemberRole.Manager);
        var rob = await MemberAsync("Rob", "UTC", MemberRole.Rep, mia);
        var rae = await MemberAsync("Rae", "UTC", MemberRole.Rep, mia);
        var oscar = await MemberAsync("Oscar", "UTC", MemberRole.Rep);
        var ada = await MemberAsync("Ada", "UTC", MemberRole.Admin);

        var initech = await DealAsync(rob, "Initech", 2000m, "Lead", Utc(10, 12));
        var globex = await DealAsync(rae, "Globex", 800m, "Negotiation", Utc(10, 12), "EUR");
        var umbrella = await DealAsync(oscar, "Umbrella", 9000m, "Lead", Utc(10, 12));
        var hooli = await DealAsync(rob, "Hooli", 500m, "Lead", Utc(10, 12));
        await MoveAsync(hooli, rob, "Qualified", Utc(15, 23, 59));
        await MoveAsync(initech, rob, "Closed Won", Utc(18, 10), "signed");
        await MoveAsync(globex, rae, "Qualified", Utc(19, 10));
        await MoveAsync(umbrella, oscar, "Qualified", Utc(20, 10));
        await MoveAsync(umbrella, oscar, "Proposal Sent", Utc(22, 23, 59));
        await DealAsync(rae, "Stark", 300m, "Lead", Utc(23, 9, 30));   // created this Monday: not last week's
        return (mia, ada);
    }

    [Fact]
    public async Task ManagerOfASmallTeam_TeamPipelineAndMoves_WithoutOwners()
    {
        var (mia, _) = await TeamWithLastWeeksMovesAsync();
        var text = await MondayDigestAsync(mia);
        Assert.Contains("Weekly digest: your team", text);
        // Open today: Globex 800 EUR in Qualified, Hooli 500 USD in Qualified, Stark 300 USD in Lead.
        Assert.Contains("Pipeline: 3 open deals: 800 EUR (weighted ", text);
        Assert.Contains("800 USD (weighted ", text);
        Assert.Contains("What moved last week: 2 deals changed stage.", text);
        Assert.Contains("Initech: Lead → Closed Won, 2,000 USD", text);
        Assert.Contains("Globex: Negotiation → Qualified, 800 EUR", text);
        Assert.DoesNotContain("Umbrella", text);
        Assert.DoesNotContain("Hooli: Lead", text);
        Assert.DoesNotContain("(Rob)", text);
        Assert.DoesNotContain("(Rae)", text);
        Assert.Contains("Owners are not named", text);
        var card = ProactivePayload.FromJson((await WeekliesAsync())[mia.Id].PayloadJson).Cards.Single();
        Assert.Equal("weekly-digest", card.Name);
        // The card's JSON escapes the arrow.
        Assert.Contains("Initech: Lead ", card.Card.ToJsonString());
        Assert.Contains(" Closed Won, 2,000 USD", card.Card.ToJsonString());
    }

    [Fact]
    public async Task ManagerOfATeamAtTheMinimum_SeesOwners()
    {
        using var host = new ProactiveHost(_store, _clock, Settings(minResponses: "3"));
        var (mia, _) = await TeamWithLastWeeksMovesAsync();
        await MemberAsync("Ron", "UTC", MemberRole.Rep, mia);
        _clock.Set(Utc(23, 10));
        await PlanAsync(host);

        var text = Text((await WeekliesAsync())[mia.Id]);
        Assert.Contains("Initech: Lead → Closed Won, 2,000 USD (Rob)", text);
        Assert.Contains("Globex: Negotiation → Qualified, 800 EUR (Rae)", text);
        Assert.DoesNotContain("Owners are not named", text);
    }

    [Fact]
    public async Task Admin_Everyone_OrTheirTeam_AlwaysWithOwners()
    {
        var (_, ada) = await TeamWithLastWeeksMovesAsync();
        var text = await EveryonesDigestAsync(ada);
        Assert.Contains("Weekly digest: everyone's deals", text);
        Assert.Contains("What moved last week: 3 deals changed stage.", text);
        Assert.Contains("Umbrella: Lead → Proposal Sent, 9,000 USD (Oscar)", text);
        Assert.Contains("Initech: Lead → Closed Won, 2,000 USD (Rob)", text);
        Assert.True(text.IndexOf("Umbrella", StringComparison.Ordinal) < text.IndexOf("Initech: ", StringComparison.Ordinal), "largest first");
        Assert.DoesNotContain("Owners are not named", text);

        // Back to their own team (nobody reports to Ada): nothing to say, so nothing is sent the next Monday.
        await _host.UpdateMemberAsync(ada.Id, m => m.WeeklyDigestEveryone = false);
        _clock.Set(Utc(30, 10));
        await PlanAsync();
        await using var db = _store.NewContext();
        var next = await db.Outbox.AsNoTracking().SingleAsync(o => o.DedupeKey == $"weekly:{ada.Id}:2026-11-30");
        Assert.Equal(OutboxStatus.Skipped, next.Status);
    }

    private static DateTimeOffset At(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>
    /// Mia (Europe/Berlin) manages Rob and Rae (a team of two, under Feedback:MinResponses = 5); Oscar has no manager;
    /// Ada (UTC) is an admin. This quarter is 1 Oct – 31 Dec 2026; the digest is planned Monday 23 Nov, 10:00 UTC, so a
    /// deal untouched since before 9 Nov, 10:00 UTC is stale (14 days).
    /// - Zeta (Rob, 1,500 USD) won 30 Sep 23:30 UTC: 1 Oct in Berlin (this quarter), 30 Sep in UTC (last quarter).
    /// - Theta (Rae, 400 USD) won 30 Sep 21:30 UTC: 30 Sep in both zones, last quarter.
    /// - Acme (Rob, 3,000 USD, expected 15 Dec) created 1 Oct in Proposal Sent, moved to Negotiation 20 Nov: committed, not stale.
    /// - Beta (Rae, 2,000 USD, expected 30 Nov) created 1 Oct in Proposal Sent, untouched since: stale 53 days.
    /// - Epsilon (Rob, 700 USD, no expected close) created 1 Oct in Lead, moved to Qualified 5 Nov: stale 18 days.
    /// - Omega (Oscar, 9,000 USD, expected 1 Dec) created 1 Oct in Negotiation: stale 53 days, not Mia's team.
    /// - Gamma (Rob, 1,000 EUR, expected 20 Dec) created 1 Nov in Lead: stale 22 days.
    /// - Delta (Rae, 5,000 USD, expected 15 Jan 2027) created 15 Nov in Negotiation: next quarter, not stale.
    /// </summary>
    private async Task<(Member Mia, Member Ada)> TeamWithAForecastAndStaleDealsAsync()
    {
        var mia = await MemberAsync("Mia", "Europe/Berlin", MemberRole.Manager);
        var rob = await MemberAsync("Rob", "UTC", MemberRole.Rep, mia);
        var rae = await MemberAsync("Rae", "UTC", MemberRole.Rep, mia);
        var oscar = await MemberAsync("Oscar", "UTC", MemberRole.Rep);
        var ada = await MemberAsync("Ada", "UTC", MemberRole.Admin);

        var zeta = await DealAsync(rob, "Zeta", 1500m, "Lead", At(9, 1, 10));
        var theta = await DealAsync(rae, "Theta", 400m, "Lead", At(9, 1, 10));
        await MoveAsync(theta, rae, "Closed Won", At(9, 30, 21, 30), "signed");
        await MoveAsync(zeta, rob, "Closed Won", At(9, 30, 23, 30), "signed");
        var acme = await DealAsync(rob, "Acme", 3000m, "Proposal Sent", At(10, 1, 10), expectedClose: new DateOnly(2026, 12, 15));
        await DealAsync(rae, "Beta", 2000m, "Proposal Sent", At(10, 1, 10), expectedClose: new DateOnly(2026, 11, 30));
        var epsilon = await DealAsync(rob, "Epsilon", 700m, "Lead", At(10, 1, 10));
        await DealAsync(oscar, "Omega", 9000m, "Negotiation", At(10, 1, 10), expectedClose: new DateOnly(2026, 12, 1));
        await DealAsync(rob, "Gamma", 1000m, "Lead", At(11, 1, 10), "EUR", new DateOnly(2026, 12, 20));
        await MoveAsync(epsilon, rob, "Qualified", At(11, 5, 10));
        await DealAsync(rae, "Delta", 5000m, "Negotiation", At(11, 15, 10), expectedClose: new DateOnly(2027, 1, 15));
        await MoveAsync(acme, rob, "Negotiation", At(11, 20, 10));
        return (mia, ada);
    }

    [Fact]
    public async Task ManagerOfASmallTeam_ForecastOfThisQuarterInTheirZone_AndStaleDeals_WithoutOwners()
    {
        var (mia, _) = await TeamWithAForecastAndStaleDealsAsync();
        var text = await MondayDigestAsync(mia);
        // Expected this quarter: Acme 3,000 USD (Negotiation, 80 %), Beta 2,000 USD (Proposal Sent, 60 %), Gamma
        // 1,000 EUR (Lead, 10 %); weighted 2,400 + 1,200 USD and 100 EUR. Won in Berlin's quarter: Zeta.
        Assert.Contains("Forecast, this quarter (1 Oct – 31 Dec 2026): 3 open deals expected to close, 1 deal won so far. "
            + "Committed: deals in Negotiation.", text);
        Assert.Contains(string.Join("\n",
            "EUR committed      0 EUR  0 deals",
            "EUR best case  1,000 EUR  1 deal",
            "EUR weighted     100 EUR",
            "EUR won so far     0 EUR  0 deals",
            "USD committed  3,000 USD  1 deal",
            "USD best case  5,000 USD  2 deals",
            "USD weighted   3,600 USD",
            "USD won so far 1,500 USD  1 deal",
            "1 open deal has no expected close date, so it is in no quarter."), text);
        Assert.DoesNotContain("Delta", text);

        Assert.Contains(string.Join("\n",
            "Stale deals: 3 open deals without activity or a stage change for 14 days or more:",
            "Beta (Proposal Sent, 2,000 USD): idle 53 days",
            "Gamma (Lead, 1,000 EUR): idle 22 days",
            "Epsilon (Qualified, 700 USD): idle 18 days",
            "Owners are not named: a team of fewer than 5 members would show each person's figures."), text);
        Assert.DoesNotContain("Omega", text);
        Assert.DoesNotContain("(Rob)", text);
        Assert.DoesNotContain("(Rae)", text);
        // Said once, under the last list of deals; last week's move (Acme) comes before it.
        Assert.Single(text.Split('\n'), l => l.StartsWith("Owners are not named", StringComparison.Ordinal));
        Assert.Contains("Acme: Proposal Sent → Negotiation, 3,000 USD", text);

        // On Slack the whole digest fits: every section shown, nothing cut, within Block Kit's limits.
        var card = ProactivePayload.FromJson((await WeekliesAsync())[mia.Id].PayloadJson).Cards.Single().Card;
        var message = BlockKit.Message(card, text).Result;
        var blocks = message.Blocks.ToJsonString();
        Assert.Empty(BlockKitRules.CheckMessage(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() }));
        foreach (var heading in new[] { "Pipeline", "Forecast, this quarter", "What moved last week", "Stale deals", "Epsilon (Qualified" })
            Assert.Contains(heading, blocks);
        Assert.DoesNotContain("not shown", blocks);
    }

    [Fact]
    public async Task Admin_Everyone_ForecastInTheirOwnZone_StaleDealsWithOwners()
    {
        var (_, ada) = await TeamWithAForecastAndStaleDealsAsync();
        var text = await EveryonesDigestAsync(ada);
        // Omega joins (9,000 USD in Negotiation); in UTC both wins fell on 30 Sep, last quarter.
        Assert.Contains("Forecast, this quarter (1 Oct – 31 Dec 2026): 4 open deals expected to close, 0 deals won so far.", text);
        Assert.Contains(string.Join("\n",
            "USD committed  12,000 USD  2 deals",
            "USD best case  14,000 USD  3 deals",
            "USD weighted   10,800 USD",
            "USD won so far      0 USD  0 deals"), text);
        Assert.Contains(string.Join("\n",
            "Stale deals: 4 open deals without activity or a stage change for 14 days or more:",
            "Beta (Proposal Sent, 2,000 USD): idle 53 days (Rae)",
            "Omega (Negotiation, 9,000 USD): idle 53 days (Oscar)",
            "Gamma (Lead, 1,000 EUR): idle 22 days (Rob)",
            "Epsilon (Qualified, 700 USD): idle 18 days (Rob)"), text);
        Assert.DoesNotContain("Owners are not named", text);
    }
}

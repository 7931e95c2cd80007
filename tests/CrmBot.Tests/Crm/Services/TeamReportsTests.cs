using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Tests.Crm.Services;

/// <summary>
/// A small team whose numbers are worked out by hand in the tests. Mia manages Rob and Rae (a team of two, below
/// Feedback:MinResponses = 3); Oscar has no manager; Ada is an admin; Nobody has nothing. Now is 2026-11-22 12:00 UTC.
/// Everyone is in UTC; in Europe/Berlin (UTC+1 in November) a few records fall on other days.
///
/// Open deals and their last touch (stale after 14 days: touched at or before 2026-11-08 12:00):
///   U1 unowned, Lead, created 09-30 12:00                                  → stage change 09-30, 53 days
///   S1 Rob, Lead, created 10-01                                            → stage change 10-01, 52 days
///   O1 Oscar, Qualified, activity that happened 10-03 (logged 11-21)       → activity 10-03, 50 days
///   S2 Rob, Proposal Sent, activity 10-20                                  → activity 10-20, 33 days
///   S3 Rae, activity 10-10, moved to Negotiation 10-25                     → stage change 10-25, 28 days
///   E1 Rae, activity 11-08 12:00                                           → activity, exactly 14 days
///   E2 Rob, activity 11-08 12:01; F1 Rob, moved 11-20; N1 Mia, created 11-15 → not stale; C1 Rob, closed won.
///
/// Activities logged (by when logged) in 2026-11-01..14: Rob E2, 11-03 12:00, 11-14 23:30 (11-15 in Berlin); Rae E1;
/// Mia 10-31 23:30 (11-01 in Berlin); Oscar logs O1's on 11-21.
/// Follow-ups (due at the end of the day, UTC): Rob 11-05 done 11-05, 11-10 done 11-12 (late), 11-12 open;
/// Rae 11-14 done 11-14 20:00 (due 11-15 00:59 in Berlin), 11-20 done 11-20, 11-25 open (not yet due);
/// Oscar 11-02 open; Mia 10-31 open (due 11-01 00:59 in Berlin).
/// </summary>
public abstract class TeamWorld(StoreProvider provider) : IAsyncLifetime
{
    public CrmHost Crm { get; } = new(settings: new Dictionary<string, string?> { ["Feedback:MinResponses"] = "3" }, provider: provider);
    public Member Ada { get; private set; } = null!;
    public Member Mia { get; private set; } = null!;
    public Member Rob { get; private set; } = null!;
    public Member Rae { get; private set; } = null!;
    public Member Oscar { get; private set; } = null!;
    public Member Nobody { get; private set; } = null!;
    private Contact _jane = null!;

    public static DateTime At(int mo, int d, int h = 12, int mi = 0) => new(2026, mo, d, h, mi, 0, DateTimeKind.Utc);

    public async Task InitializeAsync()
    {
        Crm.Clock.Set(At(9, 1));
        Ada = await Crm.MemberAsync("Ada", role: MemberRole.Admin);
        Mia = await Crm.MemberAsync("Mia", role: MemberRole.Manager);
        Rob = await Crm.MemberAsync("Rob");
        Rae = await Crm.MemberAsync("Rae");
        Oscar = await Crm.MemberAsync("Oscar");
        Nobody = await Crm.MemberAsync("Nobody");
        _jane = await Crm.ContactAsync("Jane", "Doe");
        await using (var turn = Crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            foreach (var m in db.Members.Where(m => m.Id == Rob.Id || m.Id == Rae.Id)) m.ManagerId = Mia.Id;
            await db.SaveChangesAsync();
        }

        var u1 = await Deal("U1", Oscar, 700m, "USD", "Lead", At(9, 30));
        await using (var turn = Crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            (await db.Deals.FindAsync(u1.Id))!.OwnerId = null;
            await db.SaveChangesAsync();
        }
        await Deal("S1", Rob, 1000m, "USD", "Lead", At(10, 1), new DateOnly(2026, 12, 10));
        var o1 = await Deal("O1", Oscar, 500m, "EUR", "Qualified", At(10, 1));
        var s2 = await Deal("S2", Rob, 2000m, "USD", "Proposal Sent", At(10, 1));
        var s3 = await Deal("S3", Rae, 3000m, "USD", "Lead", At(10, 1));
        var e1 = await Deal("E1", Rae, 400m, "USD", "Lead", At(10, 1));
        var e2 = await Deal("E2", Rob, 400m, "USD", "Lead", At(10, 1));
        var f1 = await Deal("F1", Rob, 100m, "USD", "Lead", At(10, 1));
        var c1 = await Deal("C1", Rob, 100m, "USD", "Lead", At(10, 1));
        await Move(c1, Rob, "Closed Won", At(10, 5));
        await Log(Rae, s3, At(10, 10));
        await Log(Rob, s2, At(10, 20));
        await Move(s3, Rae, "Negotiation", At(10, 25));
        await Log(Mia, null, At(10, 31, 23, 30));
        await Log(Rob, null, At(11, 3));
        await Log(Rae, e1, At(11, 8));
        await Log(Rob, e2, At(11, 8, 12, 1));
        await Log(Rob, null, At(11, 14, 23, 30));
        await Deal("N1", Mia, 100m, "USD", "Lead", At(11, 15));
        await Move(f1, Rob, "Qualified", At(11, 20));
        await Log(Oscar, o1, At(11, 21), occurred: At(10, 3));

        Crm.Clock.Set(At(10, 20));
        await FollowUp(Rob, new DateOnly(2026, 11, 5), At(11, 5, 10));
        await FollowUp(Rob, new DateOnly(2026, 11, 10), At(11, 12, 10));
        await FollowUp(Rob, new DateOnly(2026, 11, 12), null);
        await FollowUp(Rae, new DateOnly(2026, 11, 14), At(11, 14, 20));
        await FollowUp(Rae, new DateOnly(2026, 11, 20), At(11, 20, 9));
        await FollowUp(Rae, new DateOnly(2026, 11, 25), null);
        await FollowUp(Oscar, new DateOnly(2026, 11, 2), null);
        await FollowUp(Mia, new DateOnly(2026, 10, 31), null);

        Crm.Clock.Set(At(11, 22));
    }

    public async Task<StaleDealsReport> Stale(ReportScope scope, int days = 14, int limit = 10)
    {
        await using var turn = Crm.Turn();
        return await turn.Get<TeamReports>().StaleDealsAsync(scope, days, limit, default);
    }

    /// <summary>The team activity report as <paramref name="viewer"/> gets it by default (their role's scope).</summary>
    public async Task<TeamActivityReport> Activity(Member viewer, ReportPeriod period, string zone = "UTC")
    {
        await using var turn = Crm.Turn();
        var view = await turn.Get<ReportAccess>().ViewAsync(viewer, null, null, default);
        return await turn.Get<TeamReports>().TeamActivityAsync(view.Scope, view.ShowsPerPerson, period, LocalDay.Zone(zone), default);
    }

    private async Task<Deal> Deal(string name, Member owner, decimal amount, string currency, string stage, DateTime created, DateOnly? expectedClose = null)
    {
        Crm.Clock.Set(created);
        await using var turn = Crm.Turn();
        return await turn.Get<DealService>().CreateAsync(new NewDeal(name, amount, stage, Currency: currency, ExpectedClose: expectedClose),
            MemberService.ActorFor(owner, "slack"), default);
    }

    private async Task Move(Deal deal, Member by, string stage, DateTime at)
    {
        Crm.Clock.Set(at);
        await using var turn = Crm.Turn();
        var move = await turn.Get<DealService>().MoveAsync(deal.Id, stage, "signed", MemberService.ActorFor(by, "slack"), default);
        Assert.Equal(StageMoveStatus.Moved, move.Status);
    }

    private async Task Log(Member by, Deal? deal, DateTime loggedAt, DateTime? occurred = null)
    {
        Crm.Clock.Set(loggedAt);
        await using var turn = Crm.Turn();
        await turn.Get<ActivityService>().LogAsync(new LogActivity(_jane.Id, ActivityType.Call, "called", deal?.Id, OccurredAt: occurred),
            MemberService.ActorFor(by, "slack"), default);
    }

    private async Task FollowUp(Member assignee, DateOnly due, DateTime? doneAt)
    {
        var actor = MemberService.ActorFor(assignee, "slack");
        FollowUp item;
        await using (var turn = Crm.Turn())
            item = await turn.Get<FollowUpService>().CreateAsync(new NewFollowUp("call back", due), _jane.Id, null, actor, default);
        if (doneAt is not { } at) return;
        var before = Crm.Clock.GetUtcNow();
        Crm.Clock.Set(at);
        await using (var turn = Crm.Turn())
            Assert.Equal(FollowUpOutcomeKind.Done, (await turn.Get<FollowUpService>().CompleteAsync(item.Id, actor, default)).Kind);
        Crm.Clock.Set(before);
    }

    public Task DisposeAsync()
    {
        Crm.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteTeamWorld() : TeamWorld(StoreProvider.Sqlite);

public sealed class PostgresTeamWorld() : TeamWorld(StoreProvider.Postgres);

// The same numbers on both engines: each case runs once per engine.
public sealed class TeamReportsTestsOnSqlite(SqliteTeamWorld world) : TeamReportsTests(world), IClassFixture<SqliteTeamWorld>;

public sealed class TeamReportsTestsOnPostgres(PostgresTeamWorld world) : TeamReportsTests(world), IClassFixture<PostgresTeamWorld>;

public abstract class TeamReportsTests(TeamWorld world)
{
    private static readonly ReportPeriod FirstHalf = ReportPeriod.Between(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 14));

    private static List<(string Name, DealTouch Kind, int DaysIdle)> Touches(StaleDealsReport report) =>
        report.Deals.Select(d => (d.Name, d.LastTouchKind, d.DaysIdle)).ToList();

    [Fact]
    public async Task StaleDeals_Everyone_OldestTouchFirst_UnownedToo()
    {
        var report = await world.Stale(ReportScope.Everyone);

        Assert.Equal(6, report.Total);
        Assert.Equal(
        [
            ("U1", DealTouch.StageChange, 53),
            ("S1", DealTouch.StageChange, 52),
            ("O1", DealTouch.Activity, 50),
            ("S2", DealTouch.Activity, 33),
            ("S3", DealTouch.StageChange, 28),
            ("E1", DealTouch.Activity, 14),
        ], Touches(report));
        var s1 = report.Deals[1];
        Assert.Equal(("Rob", "Lead", 1000m, "USD", new DateOnly(2026, 12, 10), TeamWorld.At(10, 1)),
            (s1.Owner, s1.Stage, s1.Amount, s1.Currency, s1.ExpectedClose, s1.LastTouch));
        Assert.Null(report.Deals[0].Owner);
        var o1 = report.Deals[2];
        // Logged on 11-21 about a call on 10-03: the deal was last touched when the call happened.
        Assert.Equal(("Oscar", "Qualified", 500m, "EUR", (DateOnly?)null, TeamWorld.At(10, 3)),
            (o1.Owner, o1.Stage, o1.Amount, o1.Currency, o1.ExpectedClose, o1.LastTouch));
        Assert.Equal(("Negotiation", TeamWorld.At(10, 25)), (report.Deals[4].Stage, report.Deals[4].LastTouch));
    }

    [Fact]
    public async Task StaleDeals_ManagersTeamAndRep_OnlyTheirDeals()
    {
        var team = await world.Stale(ReportScope.Team(world.Mia.Id));
        Assert.Equal(4, team.Total);
        Assert.Equal(["S1", "S2", "S3", "E1"], team.Deals.Select(d => d.Name));

        var rob = await world.Stale(ReportScope.Member(world.Rob.Id));
        Assert.Equal(["S1", "S2"], rob.Deals.Select(d => d.Name));
    }

    [Fact]
    public async Task StaleDeals_TheNDayEdge()
    {
        // E1 was touched exactly 14 days ago (stale), E2 a minute later (not).
        var fourteen = await world.Stale(ReportScope.Everyone, days: 14);
        Assert.Contains(fourteen.Deals, d => d.Name == "E1");
        Assert.DoesNotContain(fourteen.Deals, d => d.Name == "E2");

        // 30 days: touched on or before 10-23 12:00.
        var thirty = await world.Stale(ReportScope.Everyone, days: 30);
        Assert.Equal(4, thirty.Total);
        Assert.Equal(["U1", "S1", "O1", "S2"], thirty.Deals.Select(d => d.Name));
    }

    [Fact]
    public async Task StaleDeals_Limit_KeepsTheTotal()
    {
        var report = await world.Stale(ReportScope.Everyone, limit: 2);

        Assert.Equal(6, report.Total);
        Assert.Equal(["U1", "S1"], report.Deals.Select(d => d.Name));
    }

    [Fact]
    public async Task StaleDeals_NoDeals_Empty()
    {
        var report = await world.Stale(ReportScope.Member(world.Nobody.Id));

        Assert.Equal(0, report.Total);
        Assert.Empty(report.Deals);
    }

    [Fact]
    public async Task TeamActivity_SmallTeam_TotalsOnly_PerPersonWithheld()
    {
        var report = await world.Activity(world.Mia, FirstHalf);

        // Rob 3 + Rae 1 + Mia 0 activities over 2 weeks; follow-ups due: Rob 3 (1 on time), Rae 1 (on time).
        Assert.Equal((3, 4, 2.0, 0.67, 4, 2), (report.Reps, report.Activities, report.PerWeek, report.PerRepPerWeek, report.FollowUpsDue, report.FollowUpsOnTime));
        Assert.Equal(0.5, report.OnTimeRate);
        Assert.True(report.PerPersonWithheld);
        Assert.Equal(3, report.MinimumMembers);
        Assert.Empty(report.PerRep);
    }

    [Fact]
    public async Task TeamActivity_Admin_EveryoneByRep()
    {
        var report = await world.Activity(world.Ada, FirstHalf);

        Assert.False(report.PerPersonWithheld);
        Assert.Equal(
        [
            new RepActivity(world.Ada.Id, "Ada", 0, 0, 0, 0),
            new RepActivity(world.Mia.Id, "Mia", 0, 0, 0, 0),
            new RepActivity(world.Nobody.Id, "Nobody", 0, 0, 0, 0),
            new RepActivity(world.Oscar.Id, "Oscar", 0, 0, 1, 0),
            new RepActivity(world.Rae.Id, "Rae", 1, 0.5, 1, 1),
            new RepActivity(world.Rob.Id, "Rob", 3, 1.5, 3, 1),
        ], report.PerRep);
        Assert.Equal((6, 4, 2.0, 0.33, 5, 2), (report.Reps, report.Activities, report.PerWeek, report.PerRepPerWeek, report.FollowUpsDue, report.FollowUpsOnTime));
        Assert.Equal(1.0 / 3, report.PerRep[^1].OnTimeRate);
        Assert.Null(report.PerRep[0].OnTimeRate);
    }

    [Fact]
    public async Task TeamActivity_Rep_OwnFiguresOnly()
    {
        var report = await world.Activity(world.Rob, FirstHalf);

        Assert.Equal([new RepActivity(world.Rob.Id, "Rob", 3, 1.5, 3, 1)], report.PerRep);
        Assert.Equal((1, 3, 3, 1), (report.Reps, report.Activities, report.FollowUpsDue, report.FollowUpsOnTime));
    }

    [Fact]
    public async Task TeamActivity_DaysReadInTheGivenZone()
    {
        var report = await world.Activity(world.Ada, FirstHalf, "Europe/Berlin");

        // Mia's activity and follow-up of 10-31 late evening fall on 11-01; Rob's activity and Rae's follow-up of
        // 11-14 late evening on 11-15.
        var rows = report.PerRep.ToDictionary(r => r.Name, r => (r.Activities, r.FollowUpsDue, r.FollowUpsOnTime));
        Assert.Equal((1, 1, 0), rows["Mia"]);
        Assert.Equal((2, 3, 1), rows["Rob"]);
        Assert.Equal((1, 0, 0), rows["Rae"]);
        Assert.Equal((4, 5, 1), (report.Activities, report.FollowUpsDue, report.FollowUpsOnTime));
    }

    [Fact]
    public async Task TeamActivity_PeriodNotOver_OnlyFollowUpsAlreadyDue()
    {
        var report = await world.Activity(world.Rae, ReportPeriod.ThisMonth(new DateOnly(2026, 11, 22)));

        // Due 11-14 and 11-20, both done on time; 11-25 is not due yet. One activity in 30 days.
        Assert.Equal([new RepActivity(world.Rae.Id, "Rae", 1, 0.23, 2, 2)], report.PerRep);
    }

    [Fact]
    public async Task TeamActivity_NoData_Zeros()
    {
        var report = await world.Activity(world.Nobody, FirstHalf);

        Assert.Equal([new RepActivity(world.Nobody.Id, "Nobody", 0, 0, 0, 0)], report.PerRep);
        Assert.Equal((0, 0.0, 0), (report.Activities, report.PerWeek, report.FollowUpsDue));
        Assert.Null(report.OnTimeRate);
    }
}

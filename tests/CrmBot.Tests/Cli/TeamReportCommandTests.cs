using System.Globalization;
using CrmBot.Crm.Model;
using CrmBot.Tests.Proactive;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `report stale-deals` and `report team-activity` as an operator runs them, in their own process over a store
/// file. The process reads the real clock, so every record is placed relative to now.
/// </summary>
public sealed class TeamReportCommandTests : ReportCommandTestBase
{
    private static readonly DateTime Now = DateTime.UtcNow;
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now);

    protected override DateTime MembersSince => Now.AddDays(-90);

    /// <summary>A deal created <paramref name="createdDaysAgo"/> days ago in <paramref name="stage"/>, its creation its one stage change.</summary>
    private Deal Deal(string name, Member? owner, decimal amount, string currency, string stage, int createdDaysAgo)
    {
        using var db = Store.NewContext();
        var created = Now.AddDays(-createdDaysAgo);
        var deal = new Deal { Name = name, Amount = amount, Currency = currency, Stage = stage, OwnerId = owner?.Id, CreatedAt = created, UpdatedAt = created };
        deal.StageHistory.Add(new DealStageChange { ToStage = stage, ChangedAt = created });
        db.Deals.Add(deal);
        db.SaveChanges();
        return deal;
    }

    private void Activity(Member by, Deal? deal, double daysAgo)
    {
        using var db = Store.NewContext();
        var contact = db.Contacts.FirstOrDefault() ?? new Contact { FirstName = "Jane", LastName = "Doe", CreatedAt = Now, UpdatedAt = Now };
        var at = Now.AddDays(-daysAgo);
        db.Activities.Add(new Activity { Type = ActivityType.Call, Contact = contact, DealId = deal?.Id, LoggedById = by.Id, Channel = "slack", OccurredAt = at, CreatedAt = at });
        db.SaveChanges();
    }

    private void FollowUp(Member assignee, double dueDaysAgo, double? doneDaysAgo)
    {
        using var db = Store.NewContext();
        db.FollowUps.Add(new FollowUp
        {
            Title = "call back", AssigneeId = assignee.Id, DueAt = Now.AddDays(-dueDaysAgo), CreatedAt = Now.AddDays(-30),
            Status = doneDaysAgo is null ? FollowUpStatus.Open : FollowUpStatus.Done, CompletedAt = doneDaysAgo is { } d ? Now.AddDays(-d) : null,
        });
        db.SaveChanges();
    }

    /// <summary>
    /// Mia manages Rob (a team of one); Oscar has no manager. Stale after 14 days: O1 (40 days), R1 (30), U1 (unowned,
    /// 25), R2 (activity 20 days ago); R3 had an activity 3 days ago. Rob logged 3 activities in the last two weeks and
    /// did 1 of his 2 due follow-ups on time; Oscar logged 1 and left his one due follow-up open.
    /// </summary>
    private (Member Mia, Member Rob, Member Oscar, Deal R1) World()
    {
        var mia = Add("Mia", MemberRole.Manager);
        var rob = Add("Rob", managerId: mia.Id);
        var oscar = Add("Oscar");
        var r1 = Deal("R1", rob, 1000m, "USD", "Lead", 30);
        var r2 = Deal("R2", rob, 500m, "EUR", "Proposal Sent", 30);
        var r3 = Deal("R3", rob, 200m, "USD", "Lead", 30);
        Deal("O1", oscar, 10000m, "USD", "Qualified", 40);
        Deal("U1", null, 700m, "USD", "Lead", 25);
        Deal("W1", rob, 2000m, "USD", "Closed Won", 60);
        Activity(rob, r2, 20);
        Activity(rob, r3, 3);
        Activity(rob, null, 5);
        Activity(rob, null, 1);
        Activity(oscar, null, 2);
        FollowUp(rob, 4, 4.5);
        FollowUp(rob, 6, 5);
        FollowUp(oscar, 2, null);
        return (mia, rob, oscar, r1);
    }


    private static string DaysAgo(int days) => DateOnly.FromDateTime(Now.AddDays(-days)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string LastTwoWeeks => $"{Today.AddDays(-13):yyyy-MM-dd}..{Today:yyyy-MM-dd}";

    [Fact]
    public async Task StaleDeals_Operator_EveryonesOldestFirst_AsATable()
    {
        World();

        var run = await RunAsync("stale-deals");

        Assert.True(run.Exit == 0, run.All);
        var lines = Lines(run.Out);
        Assert.Equal("Stale deals, everyone: 4 open with no activity or stage change in 14 days.", lines[0]);
        Assert.Matches(@"^Deal\s+Owner\s+Stage\s+Amount\s+Currency\s+Expected close\s+Last touch\s+By\s+Days idle$", lines[1]);
        Assert.Matches($@"^O1\s+Oscar\s+Qualified\s+10,000\.00\s+USD\s+{DaysAgo(40)}\s+stage change\s+40$", lines[2]);
        Assert.Matches($@"^R1\s+Rob\s+Lead\s+1,000\.00\s+USD\s+{DaysAgo(30)}\s+stage change\s+30$", lines[3]);
        Assert.Matches($@"^U1\s+\(no owner\)\s+Lead\s+700\.00\s+USD\s+{DaysAgo(25)}\s+stage change\s+25$", lines[4]);
        Assert.Matches($@"^R2\s+Rob\s+Proposal Sent\s+500\.00\s+EUR\s+{DaysAgo(20)}\s+activity\s+20$", lines[5]);
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task StaleDeals_AsManager_TheirTeam_Days_AsCsv()
    {
        var (_, _, _, r1) = World();

        var run = await RunAsync("stale-deals", "--as", "Mia", "--days", "25", "--csv");

        Assert.True(run.Exit == 0, run.All);
        Assert.Equal(
        [
            "deal_id,deal,owner,stage,amount,currency,expected_close,last_touch,last_touch_by,days_idle",
            $"{r1.Id},R1,Rob,Lead,1000,USD,,{DaysAgo(30)},stage change,30",
        ], Lines(run.Out));
    }

    [Fact]
    public async Task StaleDeals_NoneStale_SaysSo()
    {
        World();

        var run = await RunAsync("stale-deals", "--as", "Oscar", "--days", "41");

        Assert.True(run.Exit == 0, run.All);
        Assert.Equal(["Stale deals, Oscar's deals: 0 open with no activity or stage change in 41 days."], Lines(run.Out));
    }

    [Fact]
    public async Task TeamActivity_Operator_EveryRepAndTheTotal()
    {
        var (mia, rob, oscar, _) = World();

        var csv = await RunAsync("team-activity", LastTwoWeeks, "--csv");
        Assert.True(csv.Exit == 0, csv.All);
        Assert.Equal(
        [
            "member_id,rep,activities,per_week,follow_ups_due,follow_ups_on_time,on_time_rate",
            $"{mia.Id},Mia,0,0,0,0,",
            $"{oscar.Id},Oscar,1,0.5,1,0,0",
            $"{rob.Id},Rob,3,1.5,2,1,0.5",
            ",Total,4,2,3,1,0.3333",
        ], Lines(csv.Out));

        var table = await RunAsync("team-activity", LastTwoWeeks);
        Assert.True(table.Exit == 0, table.All);
        var lines = Lines(table.Out);
        Assert.Equal($"Team activity, everyone, {Today.AddDays(-13):yyyy-MM-dd} to {Today:yyyy-MM-dd}:", lines[0]);
        Assert.Matches(@"^Rep\s+Activities\s+Per week\s+Follow-ups due\s+On time\s+On-time rate$", lines[1]);
        Assert.Matches(@"^Mia\s+0\s+0\s+0\s+0\s+-$", lines[2]);
        Assert.Matches(@"^Rob\s+3\s+1\.5\s+2\s+1\s+50%$", lines[4]);
        Assert.Matches(@"^Total\s+4\s+2\s+3\s+1\s+33\.3%$", lines[5]);
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task TeamActivity_AsManagerOfASmallTeam_TotalsOnly_SaysWhy()
    {
        World();

        var run = await RunAsync("team-activity", LastTwoWeeks, "--as", "Mia");

        Assert.True(run.Exit == 0, run.All);
        var lines = Lines(run.Out);
        Assert.StartsWith("Team activity, Mia's team,", lines[0]);
        Assert.Matches(@"^Total\s+3\s+1\.5\s+2\s+1\s+50%$", lines[2]);
        Assert.Equal("Figures per rep are withheld: they show for teams of at least 5 members.", lines[3]);
        Assert.DoesNotContain(lines, l => l.StartsWith("Rob"));
    }

    [Fact]
    public async Task TeamActivity_AsRep_TheirOwn()
    {
        World();

        var run = await RunAsync("team-activity", LastTwoWeeks, "--as", "Rob", "--csv");

        Assert.True(run.Exit == 0, run.All);
        Assert.Equal(3, Lines(run.Out).Length);
        Assert.EndsWith(",Rob,3,1.5,2,1,0.5", Lines(run.Out)[1]);

        var team = await RunAsync("team-activity", "--as", "Rob", "--scope", "team");
        Assert.Equal(1, team.Exit);
        Assert.Contains("Rob is a rep and sees only their own deals", team.Err);
    }

    [Theory]
    [InlineData(2, "at least 1", "stale-deals", "--days", "0")]
    [InlineData(2, "is not a period", "team-activity", "next", "year")]
    [InlineData(2, "needs --as", "stale-deals", "--scope", "me")]
    public async Task BadRequests_ClearAnswer(int exit, string message, params string[] args)
    {
        World();

        var run = await RunAsync(args);

        Assert.Equal(exit, run.Exit);
        Assert.Contains(message, run.Err);
        Assert.DoesNotContain("Exception", run.All);
    }
}

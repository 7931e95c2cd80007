using CrmBot.Crm.Model;
using CrmBot.Tests.Proactive;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `report` as an operator runs it, in its own process over a store file: everyone's figures by default, a member's
/// view with --as (limited by their role), a table or CSV, and a clear refusal of what it cannot answer.
/// </summary>
public sealed class ReportCommandTests : ReportCommandTestBase
{
    private static readonly DateTime Created = new(2026, 10, 1, 9, 0, 0, DateTimeKind.Utc);

    protected override DateTime MembersSince => Created;

    /// <summary>A deal in <paramref name="stage"/>, with its history; a closed one closed at <paramref name="closedAt"/>.</summary>
    private void Deal(string name, Member owner, decimal amount, string currency, string stage, DateTime? closedAt = null, string? reason = null,
        DateOnly? expectedClose = null)
    {
        using var db = Store.NewContext();
        var deal = new Deal
        {
            Name = name, Amount = amount, Currency = currency, Stage = stage, OwnerId = owner.Id, ExpectedClose = expectedClose, CreatedAt = Created, UpdatedAt = Created,
        };
        deal.StageHistory.Add(new DealStageChange { ToStage = closedAt is null ? stage : "Lead", ChangedAt = Created });
        if (closedAt is { } at) deal.StageHistory.Add(new DealStageChange { FromStage = "Lead", ToStage = stage, Reason = reason, ChangedAt = at });
        db.Deals.Add(deal);
        db.SaveChanges();
    }

    private (Member Mia, Member Rob, Member Oscar) World()
    {
        var mia = Add("Mia", MemberRole.Manager);
        var rob = Add("Rob", managerId: mia.Id);
        var oscar = Add("Oscar");
        Deal("R1", rob, 1000m, "USD", "Lead");
        Deal("R2", rob, 500m, "EUR", "Proposal Sent");
        Deal("M1", mia, 400m, "USD", "Qualified");
        Deal("O1", oscar, 10000m, "USD", "Lead");
        Deal("W1", rob, 2000m, "USD", "Closed Won", new DateTime(2026, 10, 10, 12, 0, 0, DateTimeKind.Utc), "signed");
        Deal("L1", rob, 3000m, "USD", "Closed Lost", new DateTime(2026, 10, 15, 12, 0, 0, DateTimeKind.Utc), "Price");
        Deal("L2", oscar, 500m, "USD", "Closed Lost", new DateTime(2026, 11, 2, 12, 0, 0, DateTimeKind.Utc), "Timing");
        Deal("L3", oscar, 900m, "USD", "Closed Lost", new DateTime(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc), "Timing");
        return (mia, rob, oscar);
    }


    private async Task AssertCsvAsync(string[] expected, params string[] args)
    {
        var run = await RunAsync([.. args, "--csv"]);
        Assert.True(run.Exit == 0, run.All);
        Assert.Equal(expected, Lines(run.Out));
    }

    private async Task<string[]> TableAsync(params string[] args)
    {
        var run = await RunAsync(args);
        Assert.True(run.Exit == 0, run.All);
        return Lines(run.Out);
    }

    [Fact]
    public async Task Pipeline_Operator_SeesEveryonesOpenDeals_AsATable()
    {
        World();

        var run = await RunAsync("pipeline");

        Assert.True(run.Exit == 0, run.All);
        var lines = Lines(run.Out);
        Assert.Equal("Open deals, everyone:", lines[0]);
        Assert.Matches(@"^Stage\s+Probability\s+Currency\s+Deals\s+Amount\s+Weighted$", lines[1]);
        Assert.Matches(@"^Lead\s+10%\s+USD\s+2\s+11,000\.00\s+1,100\.00$", lines[2]);
        Assert.Matches(@"^Qualified\s+20%\s+USD\s+1\s+400\.00\s+80\.00$", lines[3]);
        Assert.Matches(@"^Meeting Scheduled\s+40%\s+0$", lines[4]);
        Assert.Matches(@"^Proposal Sent\s+60%\s+EUR\s+1\s+500\.00\s+300\.00$", lines[5]);
        Assert.Matches(@"^Negotiation\s+80%\s+0$", lines[6]);
        Assert.Matches(@"^Total\s+EUR\s+1\s+500\.00\s+300\.00$", lines[7]);
        Assert.Matches(@"^Total\s+USD\s+3\s+11,400\.00\s+1,180\.00$", lines[8]);
        Assert.Equal(9, lines.Length);
    }

    [Fact]
    public async Task Pipeline_AsManager_TheirTeamByDefault_AsCsv()
    {
        World();

        var run = await RunAsync("pipeline", "--as", "Mia", "--csv");

        Assert.True(run.Exit == 0, run.All);
        Assert.Equal(
        [
            "stage,probability,currency,deals,amount,weighted",
            "Lead,0.1,USD,1,1000,100",
            "Qualified,0.2,USD,1,400,80",
            "Proposal Sent,0.6,EUR,1,500,300",
        ], Lines(run.Out));
    }

    [Fact]
    public async Task Pipeline_AsRep_OnlyTheirOwn_AndNotMore()
    {
        World();

        var own = await RunAsync("pipeline", "--as", "Oscar", "--csv");
        Assert.True(own.Exit == 0, own.All);
        Assert.Equal(["stage,probability,currency,deals,amount,weighted", "Lead,0.1,USD,1,10000,1000"], Lines(own.Out));

        var everyone = await RunAsync("pipeline", "--as", "Oscar", "--scope", "everyone");
        Assert.Equal(1, everyone.Exit);
        Assert.Contains("Oscar is a rep and sees only their own deals", everyone.Err);
        Assert.Empty(everyone.Out);
    }

    [Fact]
    public async Task WinRate_Period_ByCurrencyWithLossReasons()
    {
        World();

        var csv = await RunAsync("win-rate", "2026-10-01..2026-11-30", "--csv");
        Assert.True(csv.Exit == 0, csv.All);
        Assert.Equal(
        [
            "currency,won,lost,won_amount,lost_amount,win_rate_by_count,win_rate_by_amount",
            "USD,1,2,2000,3500,0.3333,0.3636",
        ], Lines(csv.Out));

        var text = await RunAsync("win-rate", "2026-10-01..2026-11-30", "--as", "Mia", "--scope", "team");
        Assert.True(text.Exit == 0, text.All);
        var lines = Lines(text.Out);
        Assert.Equal("Win rate, Mia's team, closed 2026-10-01 to 2026-11-30:", lines[0]);
        Assert.Matches(@"^USD\s+1\s+1\s+2,000\.00\s+3,000\.00\s+50%\s+40%$", lines[2]);
        Assert.Matches(@"^All\s+1\s+1\s+50%$", lines[3]);
        Assert.Equal("Top loss reasons: Price (1)", lines[4]);
    }

    [Fact]
    public async Task WinRate_NothingClosed_SaysSo()
    {
        World();

        var run = await RunAsync("win-rate", "2025-01-01..2025-03-31");

        Assert.True(run.Exit == 0, run.All);
        Assert.Equal("No deal was won or lost in this period.", Lines(run.Out)[1]);
    }

    [Fact]
    public async Task Forecast_Period_PerCurrency_WithUndatedHint()
    {
        var (mia, rob, _) = World();
        Deal("F1", rob, 4000m, "USD", "Negotiation", expectedClose: new DateOnly(2026, 11, 15));
        Deal("F2", mia, 600m, "EUR", "Proposal Sent", expectedClose: new DateOnly(2026, 10, 20));
        Deal("F3", rob, 900m, "USD", "Lead", expectedClose: new DateOnly(2026, 12, 20));

        await AssertCsvAsync(
        [
            "currency,committed_deals,committed,best_case_deals,best_case,weighted,won_deals,won",
            "EUR,0,0,1,600,360,0,0",
            "USD,1,4000,1,4000,3200,1,2000",
        ], "forecast", "2026-10-01..2026-11-30");

        var lines = await TableAsync("forecast", "2026-10-01..2026-11-30", "--as", "Rob");
        Assert.Equal("Forecast, Rob's deals, expected to close 2026-10-01 to 2026-11-30:", lines[0]);
        Assert.Matches(@"^Currency\s+Committed\s+Amount\s+Best case\s+Amount\s+Weighted\s+Won\s+Amount$", lines[1]);
        Assert.Matches(@"^USD\s+1\s+4,000\.00\s+1\s+4,000\.00\s+3,200\.00\s+1\s+2,000\.00$", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("Best case") && l.Contains('█') && l.EndsWith("4000"));
        Assert.Contains("Committed: open stages with a probability of 80% or more.", lines);
        // R1 and R2 have no expected close.
        Assert.Equal("2 open deal(s) have no expected close and are in no period.", lines[^1]);
    }

    [Fact]
    public async Task SalesCycle_Period_MediansOfCloseAndOfStages()
    {
        World();

        // Created 1 October 09:00; W1 won after 9.125 days, L1 and L2 lost after 14.125 and 32.125 (L3 closed in December).
        await AssertCsvAsync(
        [
            "measure,name,count,median_days",
            "close,won,1,9.1", "close,lost,2,23.1", "close,all,3,14.1",
            "stage,Lead,3,14.1", "stage,Qualified,0,", "stage,Meeting Scheduled,0,", "stage,Proposal Sent,0,", "stage,Negotiation,0,",
        ], "sales-cycle", "2026-10-01..2026-11-30");

        var lines = await TableAsync("sales-cycle", "2026-10-01..2026-11-30", "--as", "Mia");
        Assert.Equal("Sales cycle, Mia's team, closed 2026-10-01 to 2026-11-30:", lines[0]);
        Assert.Matches(@"^Won\s+1\s+9\.1$", lines[2]);
        Assert.Matches(@"^Lost\s+1\s+14\.1$", lines[3]);
        Assert.Matches(@"^All\s+2\s+11\.6$", lines[4]);
        Assert.Matches(@"^Lead\s+2\s+11\.6$", lines[6]);
        Assert.Matches(@"^Qualified\s+0\s+-$", lines[7]);
        Assert.Contains(lines, l => l.StartsWith("Lead") && l.Contains('█') && l.EndsWith("11.6"));

        var none = await RunAsync("sales-cycle", "2025-01-01..2025-03-31");
        Assert.Equal("No deal was won or lost in this period.", Lines(none.Out)[1]);
    }

    [Fact]
    public async Task Conversion_Period_SharePerStage_AndCreatedToWon()
    {
        World();

        await AssertCsvAsync(
        [
            "stage,entered,moved_on,share",
            "Lead,6,1,0.1667", "Qualified,1,0,0", "Meeting Scheduled,0,0,", "Proposal Sent,1,0,0", "Negotiation,0,0,",
            "created to won,8,1,0.125",
        ], "conversion", "2026-10-01..2026-11-30");

        var lines = await TableAsync("conversion", "2026-10-01..2026-11-30", "--as", "Rob");
        Assert.Equal("Conversion, Rob's deals, entered 2026-10-01 to 2026-11-30:", lines[0]);
        Assert.Matches(@"^Lead\s+3\s+1\s+33\.3%$", lines[2]);
        Assert.Matches(@"^Meeting Scheduled\s+0\s+0\s+-$", lines[4]);
        Assert.Matches(@"^Created to won\s+4\s+1\s+25%$", lines[7]);
        Assert.Contains(lines, l => l.StartsWith("Lead") && l.Contains('█') && l.EndsWith("33.3"));
    }

    [Theory]
    [InlineData(2, "is not a period", "forecast", "soon")]
    [InlineData(2, "is not a period", "sales-cycle", "next", "year")]
    [InlineData(1, "sees only their own deals", "conversion", "--as", "Oscar", "--scope", "team")]
    public async Task SalesReports_BadRequests_ClearAnswer(int exit, string message, params string[] args) => await BadRequests_ClearAnswer(exit, message, args);

    [Theory]
    [InlineData(2, "needs --as", "pipeline", "--scope", "team")]
    [InlineData(2, "is not a period", "win-rate", "next", "year")]
    [InlineData(2, "is not a period", "pipeline", "--expected-close", "soon")]
    [InlineData(1, "No member matches", "pipeline", "--as", "Zed")]
    public async Task BadRequests_ClearAnswer(int exit, string message, params string[] args)
    {
        World();

        var run = await RunAsync(args);

        Assert.Equal(exit, run.Exit);
        Assert.Contains(message, run.Err);
        Assert.DoesNotContain("Exception", run.All);
    }
}

using CrmBot.Crm.Services;

namespace CrmBot.Tests.Crm.Services;

// The same numbers on both engines: each case runs once per engine, over ReportWorld's hand-made team.
public sealed class SalesReportsTestsOnSqlite(SqliteReportWorld world) : SalesReportsTests(world), IClassFixture<SqliteReportWorld>;

public sealed class SalesReportsTestsOnPostgres(PostgresReportWorld world) : SalesReportsTests(world), IClassFixture<PostgresReportWorld>;

/// <summary>
/// Forecast, sales cycle and conversion over <see cref="ReportWorld"/>; every expected number is worked out by hand
/// from the deals written out there (all moves at 12:00 UTC unless said otherwise).
/// </summary>
public abstract class SalesReportsTests(ReportWorld world)
{
    private static readonly ReportPeriod ThisQuarter = ReportPeriod.ThisQuarter(ReportWorld.Today);
    private static readonly ForecastRow[] DueAndWonThisQuarter =
    [
        new("EUR", 0, 0m, 0, 0m, 0m, 1, 1000m),
        new("USD", 1, 3000m, 2, 4000m, 2500m, 2, 2800m),
    ];
    private static readonly string[] OpenStages = ["Lead", "Qualified", "Meeting Scheduled", "Proposal Sent", "Negotiation"];

    private async Task<ForecastReport> Forecast(ReportScope scope, ReportPeriod period, string zone = "UTC")
    {
        await using var turn = world.Crm.Turn();
        return await turn.Get<PipelineReports>().ForecastAsync(scope, period, LocalDay.Zone(zone), default);
    }

    private async Task<SalesCycleReport> SalesCycle(ReportScope scope, ReportPeriod period, string zone = "UTC")
    {
        await using var turn = world.Crm.Turn();
        return await turn.Get<PipelineReports>().SalesCycleAsync(scope, period, LocalDay.Zone(zone), default);
    }

    private async Task<ConversionReport> Conversion(ReportScope scope, ReportPeriod period, string zone = "UTC")
    {
        await using var turn = world.Crm.Turn();
        return await turn.Get<PipelineReports>().ConversionAsync(scope, period, LocalDay.Zone(zone), default);
    }

    private static List<(string Stage, decimal? Days, int Count)> Flat(SalesCycleReport report) =>
        report.Stages.Select(s => (s.Stage, s.Median.Days, s.Median.Count)).ToList();

    [Fact]
    public async Task Forecast_Everyone_ThisQuarter_CommittedBestCaseWeighted_BesideWon()
    {
        var report = await Forecast(ReportScope.Everyone, ThisQuarter);

        // Due this quarter: R1 (Lead, 1000 USD) and A1 (Negotiation, 3000 USD). Won this quarter: W1, X1 (USD), W2 (EUR).
        Assert.Equal(DueAndWonThisQuarter, report.ByCurrency);
        // R3, M1 and O1 have no expected close.
        Assert.Equal(3, report.OpenWithoutExpectedClose);
    }

    [Fact]
    public async Task Forecast_ManagersTeam_AndRep()
    {
        var team = await Forecast(ReportScope.Team(world.Mia.Id), ThisQuarter);
        // Mia's team has R1, A1, W1, W2 and X1 too.
        Assert.Equal(DueAndWonThisQuarter, team.ByCurrency);
        Assert.Equal(2, team.OpenWithoutExpectedClose);

        var rob = await Forecast(ReportScope.Member(world.Rob.Id), ThisQuarter);
        Assert.Equal(
        [
            new ForecastRow("EUR", 0, 0m, 0, 0m, 0m, 1, 1000m),
            new ForecastRow("USD", 0, 0m, 1, 1000m, 100m, 1, 2000m),
        ], rob.ByCurrency);
        Assert.Equal(1, rob.OpenWithoutExpectedClose);
    }

    [Fact]
    public async Task Forecast_NextQuarter_NothingWonYet()
    {
        var report = await Forecast(ReportScope.Everyone, ReportPeriod.NextQuarter(ReportWorld.Today));

        // R2 (Proposal Sent, 60%) is expected on 2027-02-01.
        Assert.Equal([new ForecastRow("USD", 0, 0m, 1, 2000m, 1200m, 0, 0m)], report.ByCurrency);
    }

    [Fact]
    public async Task Forecast_WonDaysReadInTheGivenZone()
    {
        // Q1 was won at 23:30 UTC on 30 September: last quarter in UTC, this quarter in Berlin.
        var utc = await Forecast(ReportScope.Member(world.Rob.Id), ThisQuarter);
        var berlin = await Forecast(ReportScope.Member(world.Rob.Id), ThisQuarter, "Europe/Berlin");

        Assert.Equal((1, 2000m), (utc.ByCurrency[1].WonCount, utc.ByCurrency[1].Won));
        Assert.Equal((2, 2700m), (berlin.ByCurrency[1].WonCount, berlin.ByCurrency[1].Won));
    }

    [Fact]
    public async Task Forecast_NoDeals_Empty()
    {
        var report = await Forecast(ReportScope.Member(world.Nobody.Id), ThisQuarter);

        Assert.Empty(report.ByCurrency);
        Assert.Equal(0, report.OpenWithoutExpectedClose);
    }

    [Fact]
    public async Task SalesCycle_Everyone_ThisQuarter_MediansOfCloseAndOfStays()
    {
        var report = await SalesCycle(ReportScope.Everyone, ThisQuarter);

        // Created 5 October; won after 5 (W1), 7 (W2) and 17 days (X1, its last closing), lost after 10, 27 and 28.
        Assert.Equal(new MedianDays(7m, 3), report.Won);
        Assert.Equal(new MedianDays(27m, 3), report.Lost);
        Assert.Equal(new MedianDays(13.5m, 6), report.All);
        // Lead: 5, 7, 10, 27, 28 and X1's 15 until it was first lost; X1's day lost is no stay, its day in Negotiation is.
        Assert.Equal(
        [
            ("Lead", 12.5m, 6), ("Qualified", null, 0), ("Meeting Scheduled", null, 0), ("Proposal Sent", null, 0), ("Negotiation", 1m, 1),
        ], Flat(report));
    }

    [Fact]
    public async Task SalesCycle_ManagersTeam()
    {
        var report = await SalesCycle(ReportScope.Team(world.Mia.Id), ThisQuarter);

        // Rob's and Rae's: won 5, 7, 17; lost 10 (L1), 27 (L2).
        Assert.Equal(new MedianDays(7m, 3), report.Won);
        Assert.Equal(new MedianDays(18.5m, 2), report.Lost);
        Assert.Equal(new MedianDays(10m, 5), report.All);
        Assert.Equal(("Lead", 10m, 5), Flat(report)[0]);
    }

    [Fact]
    public async Task SalesCycle_Rep_LastQuarter_DaysReadInTheGivenZone()
    {
        var lastQuarter = ReportPeriod.LastQuarter(ReportWorld.Today);

        // Q1: created 1 September 12:00, won 30 September 23:30 UTC: 29 days and 11.5 hours.
        var utc = await SalesCycle(ReportScope.Member(world.Rob.Id), lastQuarter);
        Assert.Equal(new MedianDays(29.5m, 1), utc.Won);
        Assert.Equal(new MedianDays(null, 0), utc.Lost);
        Assert.Equal(("Lead", 29.5m, 1), Flat(utc)[0]);

        var berlin = await SalesCycle(ReportScope.Member(world.Rob.Id), lastQuarter, "Europe/Berlin");
        Assert.Equal(new MedianDays(null, 0), berlin.All);
    }

    [Fact]
    public async Task SalesCycle_NothingClosed_EveryStageEmpty()
    {
        var report = await SalesCycle(ReportScope.Member(world.Nobody.Id), ThisQuarter);

        Assert.Equal(new MedianDays(null, 0), report.All);
        Assert.Equal(OpenStages, report.Stages.Select(s => s.Stage));
        Assert.All(report.Stages, s => Assert.Equal(0, s.Median.Count));
    }

    [Fact]
    public async Task Conversion_Everyone_ThisQuarter_SharePerStageAndOverall()
    {
        var report = await Conversion(ReportScope.Everyone, ThisQuarter);

        // Lead: W1, W2, L1, L2, L3, X1, R1, O1 entered; W1, W2 and X1 moved on. Negotiation: A1, and X1 when reopened, then won.
        Assert.Equal(
        [
            new ConversionRow("Lead", 8, 3), new ConversionRow("Qualified", 1, 0), new ConversionRow("Meeting Scheduled", 0, 0),
            new ConversionRow("Proposal Sent", 2, 0), new ConversionRow("Negotiation", 2, 1),
        ], report.Stages);
        Assert.Equal(0.375m, report.Stages[0].Share);
        Assert.Null(report.Stages[2].Share);
        // Twelve deals created this quarter; W1, W2 and X1 won.
        Assert.Equal((12, 3, 0.25m), (report.Created, report.Won, report.Share));
    }

    [Fact]
    public async Task Conversion_Rep_And_LastQuarter()
    {
        var rob = await Conversion(ReportScope.Member(world.Rob.Id), ThisQuarter);
        Assert.Equal(
        [
            new ConversionRow("Lead", 4, 2), new ConversionRow("Qualified", 0, 0), new ConversionRow("Meeting Scheduled", 0, 0),
            new ConversionRow("Proposal Sent", 2, 0), new ConversionRow("Negotiation", 0, 0),
        ], rob.Stages);
        Assert.Equal((6, 2), (rob.Created, rob.Won));

        // Q1 was created last quarter and won in its last minutes.
        var last = await Conversion(ReportScope.Everyone, ReportPeriod.LastQuarter(ReportWorld.Today));
        Assert.Equal(new ConversionRow("Lead", 1, 1), last.Stages[0]);
        Assert.Equal((1, 1), (last.Created, last.Won));
    }

    [Fact]
    public async Task Conversion_NoDeals_NoShare()
    {
        var report = await Conversion(ReportScope.Member(world.Nobody.Id), ThisQuarter);

        Assert.All(report.Stages, s => Assert.Equal(0, s.Entered));
        Assert.Equal((0, (decimal?)null), (report.Created, report.Share));
    }
}

using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Tests.Crm.Services;

/// <summary>
/// A small team whose numbers are worked out by hand in the tests: Mia manages Rob and Rae; Oscar has no manager.
/// Today is 2026-11-22 (this quarter: October to December).
/// </summary>
public abstract class ReportWorld(StoreProvider provider) : IAsyncLifetime
{
    public CrmHost Crm { get; } = new(provider: provider);
    public Member Mia { get; private set; } = null!;
    public Member Rob { get; private set; } = null!;
    public Member Rae { get; private set; } = null!;
    public Member Oscar { get; private set; } = null!;
    public Member Nobody { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Mia = await Crm.MemberAsync("Mia", role: MemberRole.Manager);
        Rob = await Crm.MemberAsync("Rob");
        Rae = await Crm.MemberAsync("Rae");
        Oscar = await Crm.MemberAsync("Oscar");
        Nobody = await Crm.MemberAsync("Nobody");
        await using (var turn = Crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            foreach (var m in db.Members.Where(m => m.Id == Rob.Id || m.Id == Rae.Id)) m.ManagerId = Mia.Id;
            await db.SaveChangesAsync();
        }

        // Closed last quarter (in UTC; already October in Berlin).
        await Closed("Q1", Rob, 700m, "USD", "Closed Won", "signed", At(2026, 9, 1), At(2026, 9, 30, 23, 30));
        // Closed this quarter.
        await Closed("W1", Rob, 2000m, "USD", "Closed Won", "signed", At(2026, 10, 5), At(2026, 10, 10));
        await Closed("W2", Rob, 1000m, "EUR", "Closed Won", "signed", At(2026, 10, 5), At(2026, 10, 12));
        await Closed("L1", Rob, 3000m, "USD", "Closed Lost", "Price", At(2026, 10, 5), At(2026, 10, 15));
        await Closed("L2", Rae, 1000m, "USD", "Closed Lost", "price", At(2026, 10, 5), At(2026, 11, 1));
        await Closed("L3", Oscar, 500m, "USD", "Closed Lost", "Timing", At(2026, 10, 5), At(2026, 11, 2));
        // Lost, reopened, then won: counts once, as won.
        var x1 = await Closed("X1", Rae, 800m, "USD", "Closed Lost", "budget", At(2026, 10, 5), At(2026, 10, 20));
        await Move(x1, Rae, "Negotiation", null, At(2026, 10, 21));
        await Move(x1, Rae, "Closed Won", "signed", At(2026, 10, 22));

        // Open today.
        Crm.Clock.Set(At(2026, 11, 22));
        await Open("R1", Rob, 1000m, "USD", "Lead", new DateOnly(2026, 12, 10));
        await Open("R2", Rob, 2000m, "USD", "Proposal Sent", new DateOnly(2027, 2, 1));
        await Open("R3", Rob, 500m, "EUR", "Proposal Sent", null);
        await Open("A1", Rae, 3000m, "USD", "Negotiation", new DateOnly(2026, 11, 30));
        await Open("M1", Mia, 400m, "USD", "Qualified", null);
        await Open("O1", Oscar, 10000m, "USD", "Lead", null);
    }

    public static DateTimeOffset At(int y, int mo, int d, int h = 12, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    public static DateOnly Today => new(2026, 11, 22);

    public async Task<PipelineReport> Pipeline(ReportScope scope, ReportPeriod? expectedClose = null)
    {
        await using var turn = Crm.Turn();
        return await turn.Get<PipelineReports>().PipelineAsync(scope, expectedClose, default);
    }

    public async Task<WinRateReport> WinRate(ReportScope scope, ReportPeriod period, string zone = "UTC")
    {
        await using var turn = Crm.Turn();
        return await turn.Get<PipelineReports>().WinRateAsync(scope, period, LocalDay.Zone(zone), default);
    }

    protected async Task<Deal> Open(string name, Member owner, decimal amount, string currency, string stage, DateOnly? expectedClose)
    {
        await using var turn = Crm.Turn();
        return await turn.Get<DealService>().CreateAsync(new NewDeal(name, amount, stage, Currency: currency, ExpectedClose: expectedClose),
            MemberService.ActorFor(owner, "slack"), default);
    }

    private async Task<Deal> Closed(string name, Member owner, decimal amount, string currency, string stage, string reason,
        DateTimeOffset created, DateTimeOffset closed)
    {
        Crm.Clock.Set(created);
        var deal = await Open(name, owner, amount, currency, "Lead", null);
        await Move(deal, owner, stage, reason, closed);
        return deal;
    }

    protected async Task Move(Deal deal, Member by, string stage, string? reason, DateTimeOffset at)
    {
        Crm.Clock.Set(at);
        await using var turn = Crm.Turn();
        var move = await turn.Get<DealService>().MoveAsync(deal.Id, stage, reason, MemberService.ActorFor(by, "slack"), default);
        Assert.Equal(StageMoveStatus.Moved, move.Status);
    }

    public Task DisposeAsync()
    {
        Crm.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteReportWorld() : ReportWorld(StoreProvider.Sqlite);

public sealed class PostgresReportWorld() : ReportWorld(StoreProvider.Postgres);

// The same numbers on both engines: each case runs once per engine.
public sealed class PipelineReportsTestsOnSqlite(SqliteReportWorld world) : PipelineReportsTests(world), IClassFixture<SqliteReportWorld>;

public sealed class PipelineReportsTestsOnPostgres(PostgresReportWorld world) : PipelineReportsTests(world), IClassFixture<PostgresReportWorld>;

public abstract class PipelineReportsTests(ReportWorld world)
{
    private static readonly string[] OpenStages = ["Lead", "Qualified", "Meeting Scheduled", "Proposal Sent", "Negotiation"];

    private static List<(string Stage, string Currency, int Count, decimal Amount, decimal Weighted)> Flat(PipelineReport report) =>
        report.Stages.SelectMany(s => s.Totals.Select(t => (s.Stage, t.Currency, t.Count, t.Amount, t.Weighted))).ToList();

    [Fact]
    public async Task Pipeline_Rep_OwnOpenDealsByStage_CurrenciesApart()
    {
        var report = await world.Pipeline(ReportScope.Member(world.Rob.Id));

        Assert.Equal(OpenStages, report.Stages.Select(s => s.Stage));
        Assert.Equal([0.1m, 0.2m, 0.4m, 0.6m, 0.8m], report.Stages.Select(s => s.Probability));
        Assert.Equal(
        [
            ("Lead", "USD", 1, 1000m, 100m),
            ("Proposal Sent", "EUR", 1, 500m, 300m),
            ("Proposal Sent", "USD", 1, 2000m, 1200m),
        ], Flat(report));
        Assert.Equal([new CurrencyTotal("EUR", 1, 500m, 300m), new CurrencyTotal("USD", 2, 3000m, 1300m)], report.Totals);
    }

    [Fact]
    public async Task Pipeline_ManagersTeam_TheirMembersAndThemselves()
    {
        var report = await world.Pipeline(ReportScope.Team(world.Mia.Id));

        Assert.Equal(
        [
            ("Lead", "USD", 1, 1000m, 100m),
            ("Qualified", "USD", 1, 400m, 80m),
            ("Proposal Sent", "EUR", 1, 500m, 300m),
            ("Proposal Sent", "USD", 1, 2000m, 1200m),
            ("Negotiation", "USD", 1, 3000m, 2400m),
        ], Flat(report));
        Assert.Equal([new CurrencyTotal("EUR", 1, 500m, 300m), new CurrencyTotal("USD", 4, 6400m, 3780m)], report.Totals);
    }

    [Fact]
    public async Task Pipeline_Everyone_AllOpenDeals()
    {
        var report = await world.Pipeline(ReportScope.Everyone);

        Assert.Equal(("Lead", "USD", 2, 11000m, 1100m), Flat(report)[0]);
        Assert.Equal([new CurrencyTotal("EUR", 1, 500m, 300m), new CurrencyTotal("USD", 5, 16400m, 4780m)], report.Totals);
    }

    [Fact]
    public async Task Pipeline_ExpectedCloseThisQuarter_OnlyDealsDueInIt()
    {
        var report = await world.Pipeline(ReportScope.Everyone, ReportPeriod.ThisQuarter(ReportWorld.Today));

        Assert.Equal([("Lead", "USD", 1, 1000m, 100m), ("Negotiation", "USD", 1, 3000m, 2400m)], Flat(report));
        Assert.Equal([new CurrencyTotal("USD", 2, 4000m, 2500m)], report.Totals);
    }

    [Fact]
    public async Task Pipeline_NoDeals_EveryStageEmpty()
    {
        var report = await world.Pipeline(ReportScope.Member(world.Nobody.Id));

        Assert.Equal(OpenStages, report.Stages.Select(s => s.Stage));
        Assert.All(report.Stages, s => Assert.Empty(s.Totals));
        Assert.Empty(report.Totals);
    }

    [Fact]
    public async Task WinRate_Everyone_ThisQuarter_ByCountAndAmountPerCurrency()
    {
        var report = await world.WinRate(ReportScope.Everyone, ReportPeriod.ThisQuarter(ReportWorld.Today));

        Assert.Equal([new WinRateRow("EUR", 1, 0, 1000m, 0m), new WinRateRow("USD", 2, 3, 2800m, 4500m)], report.ByCurrency);
        Assert.Equal(1m, report.ByCurrency[0].RateByAmount);
        Assert.Equal(0.4m, report.ByCurrency[1].RateByCount);
        Assert.Equal(2800m / 7300m, report.ByCurrency[1].RateByAmount);
        Assert.Equal((3, 3, 0.5m), (report.Won, report.Lost, report.RateByCount));
        // X1 was lost for "budget" but won later: only its last close counts.
        Assert.Equal(2, report.TopLossReasons.Count);
        Assert.Equal("price", report.TopLossReasons[0].Reason, ignoreCase: true);
        Assert.Equal(2, report.TopLossReasons[0].Count);
        Assert.Equal(new LossReason("Timing", 1), report.TopLossReasons[1]);
    }

    [Fact]
    public async Task WinRate_ManagersTeam_ThisQuarter()
    {
        var report = await world.WinRate(ReportScope.Team(world.Mia.Id), ReportPeriod.ThisQuarter(ReportWorld.Today));

        Assert.Equal([new WinRateRow("EUR", 1, 0, 1000m, 0m), new WinRateRow("USD", 2, 2, 2800m, 4000m)], report.ByCurrency);
        Assert.Equal((3, 2), (report.Won, report.Lost));
        Assert.Equal(2, Assert.Single(report.TopLossReasons).Count);
    }

    [Fact]
    public async Task WinRate_Rep_LastQuarter_DaysReadInTheGivenZone()
    {
        var lastQuarter = ReportPeriod.LastQuarter(ReportWorld.Today);

        var utc = await world.WinRate(ReportScope.Member(world.Rob.Id), lastQuarter);
        Assert.Equal([new WinRateRow("USD", 1, 0, 700m, 0m)], utc.ByCurrency);
        Assert.Equal(1m, utc.RateByCount);

        // Q1 closed at 23:30 UTC on 30 September: already 1 October in Berlin.
        var berlin = await world.WinRate(ReportScope.Member(world.Rob.Id), lastQuarter, "Europe/Berlin");
        Assert.Empty(berlin.ByCurrency);
    }

    [Fact]
    public async Task WinRate_NothingClosed_NoRate()
    {
        var report = await world.WinRate(ReportScope.Member(world.Nobody.Id), ReportPeriod.ThisQuarter(ReportWorld.Today));

        Assert.Empty(report.ByCurrency);
        Assert.Empty(report.TopLossReasons);
        Assert.Null(report.RateByCount);
    }
}

public class ReportPeriodTests
{
    [Theory]
    [InlineData("this month", "2026-11-01", "2026-11-30")]
    [InlineData("This  Quarter", "2026-10-01", "2026-12-31")]
    [InlineData("last quarter", "2026-07-01", "2026-09-30")]
    [InlineData("next quarter", "2027-01-01", "2027-03-31")]
    [InlineData("last month", "2026-10-01", "2026-10-31")]
    [InlineData("this year", "2026-01-01", "2026-12-31")]
    [InlineData("2026-01-15..2026-02-15", "2026-01-15", "2026-02-15")]
    public void Parse_Understood(string text, string from, string to)
    {
        var period = ReportPeriod.Parse(text, new DateOnly(2026, 11, 22));
        Assert.NotNull(period);
        Assert.Equal((DateOnly.Parse(from), DateOnly.Parse(to)), (period.From, period.To));
    }

    [Fact]
    public void LastQuarter_InJanuary_IsLastYearsFourth() =>
        Assert.Equal(new DateOnly(2025, 10, 1), ReportPeriod.LastQuarter(new DateOnly(2026, 1, 5)).From);

    [Fact]
    public void NextQuarter_InDecember_IsNextYearsFirst() =>
        Assert.Equal((new DateOnly(2027, 1, 1), new DateOnly(2027, 3, 31)), (ReportPeriod.NextQuarter(new DateOnly(2026, 12, 31)).From, ReportPeriod.NextQuarter(new DateOnly(2026, 12, 31)).To));

    [Fact]
    public void LastMonth_InJanuary_IsLastYearsDecember() =>
        Assert.Equal((new DateOnly(2025, 12, 1), new DateOnly(2025, 12, 31)), (ReportPeriod.LastMonth(new DateOnly(2026, 1, 31)).From, ReportPeriod.LastMonth(new DateOnly(2026, 1, 31)).To));

    [Theory]
    [InlineData("next year")]
    [InlineData("next month")]
    [InlineData("")]
    [InlineData("2026-03-01..2026-01-01")]
    [InlineData("2026-13-01..2026-14-01")]
    public void Parse_NotUnderstood_Null(string text) => Assert.Null(ReportPeriod.Parse(text, new DateOnly(2026, 11, 22)));
}

public sealed class ReportMoneySumsTestsOnSqlite() : ReportMoneySumsTests(StoreProvider.Sqlite);

public sealed class ReportMoneySumsTestsOnPostgres() : ReportMoneySumsTests(StoreProvider.Postgres);

/// <summary>
/// The reports sum money in the store as whole cents (PipelineReports.FromCents): exact where a sum of doubles is
/// not. 9,999,999,999,999.98 + 0.01 as doubles read back as a decimal is 10,000,000,000,000.
/// </summary>
public abstract class ReportMoneySumsTests(StoreProvider provider) : IDisposable
{
    private readonly CrmHost _crm = new(provider: provider);

    [Fact]
    public async Task PipelineAndForecast_LargeAmountsAndCents_SummedExactly()
    {
        var rob = await _crm.MemberAsync("Rob");
        _crm.Clock.Set(ReportWorld.At(2026, 11, 22));
        var due = new DateOnly(2026, 12, 10);
        await using (var turn = _crm.Turn())
        {
            var deals = turn.Get<DealService>();
            foreach (var amount in new[] { 9_999_999_999_999.98m, 0.01m })
                await deals.CreateAsync(new NewDeal($"D{amount}", amount, "Negotiation", Currency: "USD", ExpectedClose: due),
                    MemberService.ActorFor(rob, "slack"), default);
        }

        await using var read = _crm.Turn();
        var reports = read.Get<PipelineReports>();
        var pipeline = await reports.PipelineAsync(ReportScope.Member(rob.Id), null, default);
        var forecast = await reports.ForecastAsync(ReportScope.Member(rob.Id), ReportPeriod.ThisQuarter(ReportWorld.Today), TimeZoneInfo.Utc, default);

        Assert.Equal(9_999_999_999_999.99m, Assert.Single(pipeline.Totals).Amount);
        var row = Assert.Single(forecast.ByCurrency);
        Assert.Equal((9_999_999_999_999.99m, 9_999_999_999_999.99m), (row.BestCase, row.Committed));
    }

    public void Dispose() => _crm.Dispose();
}

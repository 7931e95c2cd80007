using CrmBot.Crm;
using CrmBot.Crm.Services;

namespace CrmBot.Tests.Crm.Services;

/// <summary>
/// The report world, plus last week's (Mon 16 – Sun 22 Nov) moves among open stages, all created on 10 Nov:
/// F1 (Rob, 1,200 USD) Lead → Qualified → Proposal Sent: forward; B1 (Rae, 900 EUR) Negotiation → Qualified: back;
/// G1 (Mia, 5,000 USD) Proposal Sent → Closed Won: won; O2 (Oscar, 700 USD) Lead → Qualified: forward;
/// Z1 (Oscar, 300 USD) Lead → Qualified → Lead: where it started, no move; N1 (Rob) created in the week: no move.
/// </summary>
public abstract class MovesWorld(StoreProvider provider) : ReportWorld(provider), IAsyncLifetime
{
    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Crm.Clock.Set(At(2026, 11, 10));
        var f1 = await Open("F1", Rob, 1200m, "USD", "Lead", null);
        var b1 = await Open("B1", Rae, 900m, "EUR", "Negotiation", null);
        var g1 = await Open("G1", Mia, 5000m, "USD", "Proposal Sent", null);
        var o2 = await Open("O2", Oscar, 700m, "USD", "Lead", null);
        var z1 = await Open("Z1", Oscar, 300m, "USD", "Lead", null);
        await Move(f1, Rob, "Qualified", null, At(2026, 11, 16, 0, 0));
        await Move(f1, Rob, "Proposal Sent", null, At(2026, 11, 18));
        await Move(b1, Rae, "Qualified", null, At(2026, 11, 19));
        await Move(g1, Mia, "Closed Won", "signed", At(2026, 11, 20));
        await Move(o2, Oscar, "Qualified", null, At(2026, 11, 22, 23, 59));
        await Move(z1, Oscar, "Qualified", null, At(2026, 11, 17));
        await Move(z1, Oscar, "Lead", null, At(2026, 11, 18));
        Crm.Clock.Set(At(2026, 11, 17));
        await Open("N1", Rob, 100m, "USD", "Lead", null);
    }

    public async Task<DealMovesReport> Moves(ReportScope scope, DateTimeOffset from, DateTimeOffset to, int top = 5)
    {
        await using var turn = Crm.Turn();
        return await turn.Get<PipelineReports>().MovesAsync(scope, from, to, top, default);
    }
}

public sealed class SqliteMovesWorld() : MovesWorld(StoreProvider.Sqlite);

public sealed class PostgresMovesWorld() : MovesWorld(StoreProvider.Postgres);

public sealed class PipelineMovesTestsOnSqlite(SqliteMovesWorld world) : PipelineMovesTests(world), IClassFixture<SqliteMovesWorld>;

public sealed class PipelineMovesTestsOnPostgres(PostgresMovesWorld world) : PipelineMovesTests(world), IClassFixture<PostgresMovesWorld>;

public abstract class PipelineMovesTests(MovesWorld world)
{
    private static readonly DateTimeOffset WeekStart = ReportWorld.At(2026, 11, 16, 0, 0);
    private static readonly DateTimeOffset WeekEnd = ReportWorld.At(2026, 11, 23, 0, 0);

    private static List<(DealMoveKind, string, int, decimal)> Flat(DealMovesReport r) =>
        r.Totals.Select(t => (t.Kind, t.Currency, t.Count, t.Amount)).ToList();

    [Fact]
    public async Task Everyone_LastWeek_WonForwardBack_PerCurrency_LargestFirstWithOwners()
    {
        var report = await world.Moves(ReportScope.Everyone, WeekStart, WeekEnd);
        Assert.Equal(
            [(DealMoveKind.Won, "USD", 1, 5000m), (DealMoveKind.Forward, "USD", 2, 1900m), (DealMoveKind.Back, "EUR", 1, 900m)],
            Flat(report));
        Assert.Equal(["G1 Proposal Sent→Closed Won 5000 USD Mia", "F1 Lead→Proposal Sent 1200 USD Rob",
                "B1 Negotiation→Qualified 900 EUR Rae", "O2 Lead→Qualified 700 USD Oscar"],
            report.Top.Select(m => $"{m.Name} {m.From}→{m.To} {m.Amount:0} {m.Currency} {m.OwnerName}"));
    }

    [Fact]
    public async Task ManagersTeam_LastWeek_WithoutOthers_TopLimited()
    {
        var report = await world.Moves(ReportScope.Team(world.Mia.Id), WeekStart, WeekEnd, top: 2);
        Assert.Equal(
            [(DealMoveKind.Won, "USD", 1, 5000m), (DealMoveKind.Forward, "USD", 1, 1200m), (DealMoveKind.Back, "EUR", 1, 900m)],
            Flat(report));
        Assert.Equal(["G1", "F1"], report.Top.Select(m => m.Name));
    }

    [Fact]
    public async Task Member_OnlyTheirOwn()
    {
        var report = await world.Moves(ReportScope.Member(world.Rae.Id), WeekStart, WeekEnd);
        Assert.Equal([(DealMoveKind.Back, "EUR", 1, 900m)], Flat(report));
    }

    [Fact]
    public async Task LostThenReopenedThenWon_CountsAsWhereItEnded()
    {
        // X1: Lead → Closed Lost (20 Oct), → Negotiation (21 Oct), → Closed Won (22 Oct).
        var all = await world.Moves(ReportScope.Everyone, ReportWorld.At(2026, 10, 20, 0, 0), ReportWorld.At(2026, 10, 23, 0, 0));
        Assert.Equal([(DealMoveKind.Won, "USD", 1, 800m)], Flat(all));
        Assert.Equal("Lead", Assert.Single(all.Top).From);
        var reopened = await world.Moves(ReportScope.Everyone, ReportWorld.At(2026, 10, 21, 0, 0), ReportWorld.At(2026, 10, 22, 0, 0));
        Assert.Equal([(DealMoveKind.Back, "USD", 1, 800m)], Flat(reopened));
    }

    [Fact]
    public async Task Lost_PerCurrency_AndAnEmptySpan()
    {
        var lost = await world.Moves(ReportScope.Everyone, ReportWorld.At(2026, 11, 1, 0, 0), ReportWorld.At(2026, 11, 3, 0, 0));
        Assert.Equal([(DealMoveKind.Lost, "USD", 2, 1500m)], Flat(lost));
        Assert.Equal(["L2 Rae", "L3 Oscar"], lost.Top.Select(m => $"{m.Name} {m.OwnerName}"));

        var none = await world.Moves(ReportScope.Everyone, ReportWorld.At(2026, 11, 5, 0, 0), ReportWorld.At(2026, 11, 9, 0, 0));
        Assert.Empty(none.Totals);
        Assert.Empty(none.Top);
    }
}

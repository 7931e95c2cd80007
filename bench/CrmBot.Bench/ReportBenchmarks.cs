using BenchmarkDotNet.Attributes;
using CrmBot.Bench.Shared;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Bench;

/// <summary>
/// The pipeline reports' queries against the generated store, each as the service runs it (a fresh DI scope and
/// DbContext per call), for a rep, a manager's team and everyone (<see cref="Scope"/>). Reps and managers rotate
/// through hundreds, so no answer is served from pages the call before just read. A further report is one entry in
/// <see cref="Reports"/> and a one-line benchmark method; `explain` shows every entry's SQL and plan.
/// </summary>
public class ReportBenchmarks
{
    private const int Rotation = 512;

    /// <summary>One report: its name and how to run it for a scope, answering a short description of the result.</summary>
    internal sealed record Report(string Name, Func<IServiceProvider, ReportScope, ReportContext, CancellationToken, Task<string>> Run);

    /// <summary>What every report is asked about besides the scope: the period and the zone its days are read in.</summary>
    internal sealed record ReportContext(ReportPeriod ThisQuarter, TimeZoneInfo Zone)
    {
        public static ReportContext Today() => new(ReportPeriod.ThisQuarter(DateOnly.FromDateTime(DateTime.UtcNow)), TimeZoneInfo.Utc);
    }

    internal static readonly Report[] Reports =
    [
        new("PipelineReports.PipelineAsync", async (sp, scope, _, ct) =>
        {
            var r = await sp.GetRequiredService<PipelineReports>().PipelineAsync(scope, null, ct);
            return string.Join(", ", r.Totals.Select(t => $"{t.Count} open {t.Currency}"));
        }),
        new("PipelineReports.WinRateAsync (this quarter)", async (sp, scope, context, ct) =>
        {
            var r = await sp.GetRequiredService<PipelineReports>().WinRateAsync(scope, context.ThisQuarter, context.Zone, ct);
            return $"{r.Won} won, {r.Lost} lost, top loss reason {r.TopLossReasons.FirstOrDefault()?.Reason}";
        }),
        new("PipelineReports.ForecastAsync (this quarter)", async (sp, scope, context, ct) =>
        {
            var r = await sp.GetRequiredService<PipelineReports>().ForecastAsync(scope, context.ThisQuarter, context.Zone, ct);
            return string.Join(", ", r.ByCurrency.Select(c => $"{c.BestCaseCount} expected, {c.WonCount} won {c.Currency}"));
        }),
        new("PipelineReports.SalesCycleAsync (this quarter)", async (sp, scope, context, ct) =>
        {
            var r = await sp.GetRequiredService<PipelineReports>().SalesCycleAsync(scope, context.ThisQuarter, context.Zone, ct);
            return $"median {r.All.Days} days over {r.All.Count} closed, {r.Stages.Sum(s => s.Median.Count)} stays";
        }),
        new("PipelineReports.ConversionAsync (this quarter)", async (sp, scope, context, ct) =>
        {
            var r = await sp.GetRequiredService<PipelineReports>().ConversionAsync(scope, context.ThisQuarter, context.Zone, ct);
            return $"{string.Join("/", r.Stages.Select(s => $"{s.MovedOn}:{s.Entered}"))}, {r.Won} of {r.Created} created won";
        }),
        new("TeamReports.StaleDealsAsync (14 days)", async (sp, scope, _, ct) =>
        {
            var r = await sp.GetRequiredService<TeamReports>().StaleDealsAsync(scope, 14, 10, ct);
            return $"{r.Total} stale, oldest {r.Deals.FirstOrDefault()?.DaysIdle} days";
        }),
        new("TeamReports.TeamActivityAsync (this quarter)", async (sp, scope, context, ct) =>
        {
            var r = await sp.GetRequiredService<TeamReports>().TeamActivityAsync(scope, true, context.ThisQuarter, context.Zone, ct);
            return $"{r.Reps} reps, {r.Activities} activities, {r.FollowUpsOnTime} of {r.FollowUpsDue} follow-ups on time";
        }),
    ];

    [Params(ReportScopeKind.Member, ReportScopeKind.Team, ReportScopeKind.Everyone)]
    public ReportScopeKind Scope { get; set; }

    private ServiceProvider _services = null!;
    private ReportScope[] _scopes = [];
    private ReportContext _context = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var store = BenchPaths.DefaultStore;
        _services = BenchServices.Create(store);
        _context = ReportContext.Today();
        var random = new Random(42);
        _scopes = Scope switch
        {
            ReportScopeKind.Everyone => [ReportScope.Everyone],
            _ => ScopesOf(store, Scope).OrderBy(_ => random.Next()).Take(Rotation).ToArray(),
        };
    }

    /// <summary>Every rep (members with a manager) or every manager of the store, as report scopes.</summary>
    internal static List<ReportScope> ScopesOf(string store, ReportScopeKind kind) => kind == ReportScopeKind.Team
        ? BenchServices.Query(store, $"SELECT Id FROM Members WHERE Role = {(int)MemberRole.Manager}", r => ReportScope.Team(r.GetInt32(0)))
        : BenchServices.Query(store, $"SELECT Id FROM Members WHERE Role = {(int)MemberRole.Rep}", r => ReportScope.Member(r.GetInt32(0)));

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Benchmark]
    public Task<string> Pipeline() => RunAsync(0);

    [Benchmark]
    public Task<string> WinRate() => RunAsync(1);

    [Benchmark]
    public Task<string> Forecast() => RunAsync(2);

    [Benchmark]
    public Task<string> SalesCycle() => RunAsync(3);

    [Benchmark]
    public Task<string> Conversion() => RunAsync(4);

    [Benchmark]
    public Task<string> StaleDeals() => RunAsync(5);

    [Benchmark]
    public Task<string> TeamActivity() => RunAsync(6);

    private async Task<string> RunAsync(int report)
    {
        await using var scope = _services.CreateAsyncScope();
        return await Reports[report].Run(scope.ServiceProvider, _scopes[_next++ % _scopes.Length], _context, default);
    }
}

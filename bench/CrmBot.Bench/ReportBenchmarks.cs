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

    private async Task<string> RunAsync(int report)
    {
        await using var scope = _services.CreateAsyncScope();
        return await Reports[report].Run(scope.ServiceProvider, _scopes[_next++ % _scopes.Length], _context, default);
    }
}

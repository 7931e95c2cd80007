using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

public enum ReportScopeKind { Member, Team, Everyone }

/// <summary>
/// Whose deals a report covers: one member's, a manager's team (the members whose ManagerId is the manager, and
/// the manager), or everyone's (unowned deals too). Who may ask for which is the caller's decision.
/// </summary>
public sealed record ReportScope(ReportScopeKind Kind, int MemberId)
{
    public static ReportScope Member(int memberId) => new(ReportScopeKind.Member, memberId);
    public static ReportScope Team(int managerId) => new(ReportScopeKind.Team, managerId);
    public static ReportScope Everyone { get; } = new(ReportScopeKind.Everyone, 0);
}

/// <summary>
/// A span of whole calendar days, both ends included, read in the time zone the caller passes (the member's own;
/// UTC for the command line).
/// </summary>
public sealed record ReportPeriod(DateOnly From, DateOnly To, string Label)
{
    public static ReportPeriod ThisMonth(DateOnly today)
    {
        var first = new DateOnly(today.Year, today.Month, 1);
        return new(first, first.AddMonths(1).AddDays(-1), "this month");
    }

    public static ReportPeriod ThisQuarter(DateOnly today) => Quarter(QuarterStart(today), "this quarter");

    public static ReportPeriod LastQuarter(DateOnly today) => Quarter(QuarterStart(today).AddMonths(-3), "last quarter");

    public static ReportPeriod Between(DateOnly from, DateOnly to) =>
        from > to ? throw new ArgumentException("A period's start must not be after its end.") : new(from, to, $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}");

    /// <summary>
    /// "this month", "this quarter", "last quarter" or "2026-01-01..2026-03-31"; null when the text is none of these
    /// (or the dates are reversed), so the caller can say what is understood.
    /// </summary>
    public static ReportPeriod? Parse(string text, DateOnly today)
    {
        var t = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        switch (t)
        {
            case "this month": return ThisMonth(today);
            case "this quarter": return ThisQuarter(today);
            case "last quarter": return LastQuarter(today);
        }
        var parts = t.Split("..");
        if (parts.Length == 2
            && DateOnly.TryParseExact(parts[0].Trim(), "yyyy-MM-dd", out var from)
            && DateOnly.TryParseExact(parts[1].Trim(), "yyyy-MM-dd", out var to)
            && from <= to)
            return Between(from, to);
        return null;
    }

    private static DateOnly QuarterStart(DateOnly day) => new(day.Year, (day.Month - 1) / 3 * 3 + 1, 1);

    private static ReportPeriod Quarter(DateOnly first, string label) => new(first, first.AddMonths(3).AddDays(-1), label);
}

/// <summary>Deals of one currency: how many, their amount, and their amount weighted by the stage's probability.</summary>
public sealed record CurrencyTotal(string Currency, int Count, decimal Amount, decimal Weighted);

/// <summary>One open stage of the pipeline with its totals per currency (empty when no deal is in it).</summary>
public sealed record PipelineStageRow(string Stage, decimal Probability, IReadOnlyList<CurrencyTotal> Totals);

/// <summary>Open deals by stage in pipeline order, and the totals over all stages, per currency.</summary>
public sealed record PipelineReport(IReadOnlyList<PipelineStageRow> Stages, IReadOnlyList<CurrencyTotal> Totals);

/// <summary>Won and lost deals of one currency in a period, and the win rate by count and by amount (null when none closed).</summary>
public sealed record WinRateRow(string Currency, int Won, int Lost, decimal WonAmount, decimal LostAmount)
{
    public decimal? RateByCount => Won + Lost == 0 ? null : (decimal)Won / (Won + Lost);
    public decimal? RateByAmount => WonAmount + LostAmount == 0 ? null : WonAmount / (WonAmount + LostAmount);
}

public sealed record LossReason(string Reason, int Count);

/// <summary>Win rate per currency, the same by count over all currencies (a count can be summed; money cannot), and the commonest loss reasons.</summary>
public sealed record WinRateReport(ReportPeriod Period, IReadOnlyList<WinRateRow> ByCurrency, int Won, int Lost, IReadOnlyList<LossReason> TopLossReasons)
{
    public decimal? RateByCount => Won + Lost == 0 ? null : (decimal)Won / (Won + Lost);
}

/// <summary>
/// The numbers of the pipeline reports, from grouped queries (the store sums; no deal is loaded). Knows nothing of
/// chat: commands and cards format what it returns.
/// </summary>
public sealed partial class PipelineReports(CrmDbContext db, IOptions<CrmOptions> options)
{
    private const int LossReasonCount = 5;

    /// <summary>
    /// Open deals by stage, in pipeline order; with <paramref name="expectedClose"/>, only deals expected to close in
    /// it. Deals in a stage no longer configured follow the pipeline's stages, weighted 0.
    /// </summary>
    public async Task<PipelineReport> PipelineAsync(ReportScope scope, ReportPeriod? expectedClose, CancellationToken ct)
    {
        var crm = options.Value;
        var closed = crm.Pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        var deals = InScope(db.Deals.AsNoTracking(), scope).Where(d => !closed.Contains(d.Stage));
        if (expectedClose is { } period)
            deals = deals.Where(d => d.ExpectedClose >= period.From && d.ExpectedClose <= period.To);
        var groups = await deals.GroupBy(d => new { d.Stage, d.Currency })
            .Select(g => new { g.Key.Stage, g.Key.Currency, Count = g.Count(), Amount = g.Sum(d => d.Amount) })
            .ToListAsync(ct);

        var rows = new List<PipelineStageRow>();
        foreach (var stage in crm.Pipeline.Where(s => !s.IsClosed))
            rows.Add(Row(stage.Name, crm.ProbabilityOf(stage)));
        foreach (var stray in groups.Select(g => g.Stage).Distinct().Where(n => rows.All(r => r.Stage != n)).Order(StringComparer.Ordinal))
            rows.Add(Row(stray, 0m));
        var totals = rows.SelectMany(r => r.Totals).GroupBy(t => t.Currency)
            .Select(g => new CurrencyTotal(g.Key, g.Sum(t => t.Count), g.Sum(t => t.Amount), g.Sum(t => t.Weighted)))
            .OrderBy(t => t.Currency, StringComparer.Ordinal).ToList();
        return new PipelineReport(rows, totals);

        PipelineStageRow Row(string stage, decimal probability) => new(stage, probability,
            groups.Where(g => g.Stage == stage).OrderBy(g => g.Currency, StringComparer.Ordinal)
                .Select(g => new CurrencyTotal(g.Currency, g.Count, g.Amount, Math.Round(g.Amount * probability, 2))).ToList());
    }

    /// <summary>
    /// Deals closed in <paramref name="period"/> (days read in <paramref name="zone"/>): won / (won + lost). A deal
    /// counts once, as it last closed in the period (from the stage history), even if it was reopened since; its
    /// amount and currency are today's.
    /// </summary>
    public async Task<WinRateReport> WinRateAsync(ReportScope scope, ReportPeriod period, TimeZoneInfo zone, CancellationToken ct)
    {
        var pipeline = options.Value.Pipeline;
        var closed = pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        var won = pipeline.Where(s => s.IsClosed && s.IsWon).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var start = LocalDay.StartUtc(period.From, zone);
        var end = LocalDay.StartUtc(period.To.AddDays(1), zone);
        var closings = db.DealStageChanges.AsNoTracking().Where(c => closed.Contains(c.ToStage) && c.ChangedAt >= start && c.ChangedAt < end);
        var lastClosings = closings.Where(c => !closings.Any(o => o.DealId == c.DealId
            && (o.ChangedAt > c.ChangedAt || (o.ChangedAt == c.ChangedAt && o.Id > c.Id))));
        var inScope = InScope(db.Deals.AsNoTracking(), scope);
        var closes = from c in lastClosings
                     join d in inScope on c.DealId equals d.Id
                     select new { c.ToStage, c.Reason, d.Currency, d.Amount };

        var groups = await closes.GroupBy(x => new { x.ToStage, x.Currency })
            .Select(g => new { g.Key.ToStage, g.Key.Currency, Count = g.Count(), Amount = g.Sum(x => x.Amount) })
            .ToListAsync(ct);
        var rows = groups.GroupBy(g => g.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new WinRateRow(g.Key,
                g.Where(x => won.Contains(x.ToStage)).Sum(x => x.Count), g.Where(x => !won.Contains(x.ToStage)).Sum(x => x.Count),
                g.Where(x => won.Contains(x.ToStage)).Sum(x => x.Amount), g.Where(x => !won.Contains(x.ToStage)).Sum(x => x.Amount)))
            .ToList();

        // Reasons are typed by people: "Price" and "price" are one reason.
        var lostStages = closed.Where(n => !won.Contains(n)).ToList();
        var reasons = await closes.Where(x => lostStages.Contains(x.ToStage) && x.Reason != null)
            .GroupBy(x => x.Reason!.ToLower())
            .Select(g => new { Reason = g.Min(x => x.Reason)!, Count = g.Count() })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Reason).Take(LossReasonCount)
            .ToListAsync(ct);
        return new WinRateReport(period, rows, rows.Sum(r => r.Won), rows.Sum(r => r.Lost),
            reasons.Select(r => new LossReason(r.Reason, r.Count)).ToList());
    }

    private IQueryable<Deal> InScope(IQueryable<Deal> deals, ReportScope scope) => scope.Kind switch
    {
        ReportScopeKind.Member => deals.Where(d => d.OwnerId == scope.MemberId),
        ReportScopeKind.Team => deals.Where(d => d.OwnerId == scope.MemberId
            || db.Members.Any(m => m.Id == d.OwnerId && m.ManagerId == scope.MemberId)),
        _ => deals,
    };
}

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

    public static ReportPeriod NextQuarter(DateOnly today) => Quarter(QuarterStart(today).AddMonths(3), "next quarter");

    public static ReportPeriod LastMonth(DateOnly today)
    {
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        return new(first, first.AddMonths(1).AddDays(-1), "last month");
    }

    public static ReportPeriod ThisYear(DateOnly today) => new(new DateOnly(today.Year, 1, 1), new DateOnly(today.Year, 12, 31), "this year");

    public static ReportPeriod Between(DateOnly from, DateOnly to) =>
        from > to ? throw new ArgumentException("A period's start must not be after its end.") : new(from, to, $"{from:yyyy-MM-dd} to {to:yyyy-MM-dd}");

    /// <summary>
    /// "this month", "last month", "this quarter", "last quarter", "next quarter", "this year" or
    /// "2026-01-01..2026-03-31"; null when the text is none of these
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
            case "next quarter": return NextQuarter(today);
            case "last month": return LastMonth(today);
            case "this year": return ThisYear(today);
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
/// Open deals of one currency expected to close in a period: committed (stages at least as likely as
/// <see cref="PipelineReports.CommittedProbability"/>), best case (all of them), weighted by stage probability; and
/// what closed won in the period.
/// </summary>
public sealed record ForecastRow(string Currency, int CommittedCount, decimal Committed, int BestCaseCount, decimal BestCase, decimal Weighted,
    int WonCount, decimal Won);

/// <summary>The forecast per currency, and how many open deals in scope have no expected close (so are in no period).</summary>
public sealed record ForecastReport(ReportPeriod Period, IReadOnlyList<ForecastRow> ByCurrency, int OpenWithoutExpectedClose);

/// <summary>A median in days (null when there is nothing to take it over) and how many durations it is over.</summary>
public sealed record MedianDays(decimal? Days, int Count);

/// <summary>Median days deals stayed in one open stage.</summary>
public sealed record StageStay(string Stage, MedianDays Median);

/// <summary>
/// Deals closed in a period: median days from creation to close for the won, the lost and all of them; and the
/// median stay in each open stage, in pipeline order.
/// </summary>
public sealed record SalesCycleReport(ReportPeriod Period, MedianDays Won, MedianDays Lost, MedianDays All, IReadOnlyList<StageStay> Stages);

/// <summary>Of the deals that entered a stage in the period, how many later moved on (to a later open stage or won).</summary>
public sealed record ConversionRow(string Stage, int Entered, int MovedOn)
{
    public decimal? Share => Entered == 0 ? null : (decimal)MovedOn / Entered;
}

/// <summary>Conversion per open stage in pipeline order, and of the deals created in the period how many were won since.</summary>
public sealed record ConversionReport(ReportPeriod Period, IReadOnlyList<ConversionRow> Stages, int Created, int Won)
{
    public decimal? Share => Created == 0 ? null : (decimal)Won / Created;
}

/// <summary>
/// The numbers of the pipeline reports, from grouped queries (the store sums; no deal is loaded). Knows nothing of
/// chat: commands and cards format what it returns.
/// </summary>
public sealed partial class PipelineReports(CrmDbContext db, IOptions<CrmOptions> options)
{
    private const int LossReasonCount = 5;

    /// <summary>
    /// Open stages at least this likely to be won are "committed" in the forecast: the default Negotiation stage's
    /// probability, so a pipeline configured with its own probabilities decides which of its stages count.
    /// </summary>
    public const decimal CommittedProbability = 0.8m;

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
        var groups = (await deals.GroupBy(d => new { d.Stage, d.Currency })
            .Select(g => new { g.Key.Stage, g.Key.Currency, Count = g.Count(), Cents = g.Sum(d => (long)Math.Round((double)d.Amount * 100)) })
            .ToListAsync(ct)).Select(g => new { g.Stage, g.Currency, g.Count, Amount = FromCents(g.Cents) }).ToList();

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
        var inScope = InScope(db.Deals.AsNoTracking(), scope);
        var closes = from c in LastClosings(closed, period, zone)
                     join d in inScope on c.DealId equals d.Id
                     select new { c.ToStage, c.Reason, d.Currency, d.Amount };

        var groups = (await closes.GroupBy(x => new { x.ToStage, x.Currency })
            .Select(g => new { g.Key.ToStage, g.Key.Currency, Count = g.Count(), Cents = g.Sum(x => (long)Math.Round((double)x.Amount * 100)) })
            .ToListAsync(ct)).Select(g => new { g.ToStage, g.Currency, g.Count, Amount = FromCents(g.Cents) }).ToList();
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

    /// <summary>
    /// Open deals expected to close in <paramref name="period"/>, per currency: committed (open stages whose
    /// probability is at least <see cref="CommittedProbability"/>), best case (every open deal expected in it) and
    /// weighted (amount × stage probability); beside what closed won in the period, by the same rule as
    /// <see cref="WinRateAsync"/> (a deal's last closing in the period, days read in <paramref name="zone"/>).
    /// Deals with no expected close are in no period; their count is returned so the caller can hint at them.
    /// </summary>
    public async Task<ForecastReport> ForecastAsync(ReportScope scope, ReportPeriod period, TimeZoneInfo zone, CancellationToken ct)
    {
        var crm = options.Value;
        var closed = crm.Pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        var wonStages = crm.Pipeline.Where(s => s.IsClosed && s.IsWon).Select(s => s.Name).ToList();
        var probability = crm.Pipeline.Where(s => !s.IsClosed).ToDictionary(s => s.Name, crm.ProbabilityOf, StringComparer.Ordinal);
        var inScope = InScope(db.Deals.AsNoTracking(), scope);
        var open = inScope.Where(d => !closed.Contains(d.Stage));

        var expected = (await open.Where(d => d.ExpectedClose >= period.From && d.ExpectedClose <= period.To)
            .GroupBy(d => new { d.Stage, d.Currency })
            .Select(g => new { g.Key.Stage, g.Key.Currency, Count = g.Count(), Cents = g.Sum(d => (long)Math.Round((double)d.Amount * 100)) })
            .ToListAsync(ct)).Select(g => new { g.Stage, g.Currency, g.Count, Amount = FromCents(g.Cents) }).ToList();
        var won = (await (from c in LastClosings(closed, period, zone)
                          join d in inScope on c.DealId equals d.Id
                          where wonStages.Contains(c.ToStage)
                          group d by d.Currency into g
                          select new { Currency = g.Key, Count = g.Count(), Cents = g.Sum(d => (long)Math.Round((double)d.Amount * 100)) })
            .ToListAsync(ct)).Select(g => new { g.Currency, g.Count, Amount = FromCents(g.Cents) }).ToList();
        var undated = await open.CountAsync(d => d.ExpectedClose == null, ct);

        var rows = expected.Select(g => g.Currency).Union(won.Select(w => w.Currency)).Distinct().Order(StringComparer.Ordinal)
            .Select(currency =>
            {
                var mine = expected.Where(g => g.Currency == currency).ToList();
                // A stage no longer configured is weighted 0 and not committed, as in the pipeline report.
                var committed = mine.Where(g => probability.GetValueOrDefault(g.Stage) >= CommittedProbability).ToList();
                var w = won.SingleOrDefault(x => x.Currency == currency);
                return new ForecastRow(currency, committed.Sum(g => g.Count), committed.Sum(g => g.Amount),
                    mine.Sum(g => g.Count), mine.Sum(g => g.Amount),
                    mine.Sum(g => Math.Round(g.Amount * probability.GetValueOrDefault(g.Stage), 2)),
                    w?.Count ?? 0, w?.Amount ?? 0m);
            }).ToList();
        return new ForecastReport(period, rows, undated);
    }

    /// <summary>
    /// Deals closed in <paramref name="period"/> (their last closing in it, as in <see cref="WinRateAsync"/>): the
    /// median days from a deal's creation to that closing, for the won, the lost and all of them; and for every open
    /// stage the median days those deals stayed in it, a stay running from a change into the stage to the deal's next
    /// change, counting every stay that ended by that closing (a reopened deal's stays before and after its reopening
    /// alike; time spent in a closed stage is no stay).
    /// </summary>
    public async Task<SalesCycleReport> SalesCycleAsync(ReportScope scope, ReportPeriod period, TimeZoneInfo zone, CancellationToken ct)
    {
        var pipeline = options.Value.Pipeline;
        var closed = pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        var wonStages = pipeline.Where(s => s.IsClosed && s.IsWon).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var closings = from c in LastClosings(closed, period, zone)
                       join d in InScope(db.Deals.AsNoTracking(), scope) on c.DealId equals d.Id
                       select new { c.DealId, c.Id, c.ToStage, d.CreatedAt, ClosedAt = c.ChangedAt };

        var cycles = await closings.Select(x => new { x.ToStage, x.CreatedAt, x.ClosedAt }).ToListAsync(ct);
        var stays = await (from c in db.DealStageChanges.AsNoTracking()
                           join x in closings on c.DealId equals x.DealId
                           where !closed.Contains(c.ToStage) && (c.ChangedAt < x.ClosedAt || (c.ChangedAt == x.ClosedAt && c.Id < x.Id))
                           select new
                           {
                               c.ToStage,
                               Entered = c.ChangedAt,
                               Left = db.DealStageChanges.Where(o => o.DealId == c.DealId
                                   && (o.ChangedAt > c.ChangedAt || (o.ChangedAt == c.ChangedAt && o.Id > c.Id))).Min(o => o.ChangedAt),
                           }).ToListAsync(ct);

        var won = cycles.Where(c => wonStages.Contains(c.ToStage)).Select(c => c.ClosedAt - c.CreatedAt).ToList();
        var lost = cycles.Where(c => !wonStages.Contains(c.ToStage)).Select(c => c.ClosedAt - c.CreatedAt).ToList();
        var stages = pipeline.Where(s => !s.IsClosed).Select(s => s.Name)
            .Concat(stays.Select(s => s.ToStage).Distinct().Where(n => pipeline.All(p => p.Name != n)).Order(StringComparer.Ordinal))
            .Select(name => new StageStay(name, Median(stays.Where(s => s.ToStage == name).Select(s => s.Left - s.Entered).ToList())))
            .ToList();
        return new SalesCycleReport(period, Median(won), Median(lost), Median([.. won, .. lost]), stages);
    }

    /// <summary>
    /// For every open stage in pipeline order: the deals that entered it in <paramref name="period"/> (days read in
    /// <paramref name="zone"/>; a deal created in the stage entered it then), and how many of them afterwards, at any
    /// time up to now, entered a later open stage or a won stage (skipping stages counts as moving on; lost does not).
    /// A deal counts once per stage, from its first entry in the period. Overall: the deals created in the period,
    /// and how many of them reached a won stage since.
    /// </summary>
    public async Task<ConversionReport> ConversionAsync(ReportScope scope, ReportPeriod period, TimeZoneInfo zone, CancellationToken ct)
    {
        var pipeline = options.Value.Pipeline;
        var open = pipeline.Where(s => !s.IsClosed).Select(s => s.Name).ToList();
        var wonStages = pipeline.Where(s => s.IsClosed && s.IsWon).Select(s => s.Name).ToList();
        var start = LocalDay.StartUtc(period.From, zone);
        var end = LocalDay.StartUtc(period.To.AddDays(1), zone);
        var inScope = InScope(db.Deals.AsNoTracking(), scope);
        var changes = db.DealStageChanges.AsNoTracking();
        var entries = from c in changes
                      join d in inScope on c.DealId equals d.Id
                      where c.ChangedAt >= start && c.ChangedAt < end
                      select c;

        var rows = new List<ConversionRow>();
        for (var i = 0; i < open.Count; i++)
        {
            var stage = open[i];
            var later = open.Skip(i + 1).Concat(wonStages).ToList();
            var into = entries.Where(c => c.ToStage == stage);
            var entered = await into.Select(c => c.DealId).Distinct().CountAsync(ct);
            // Moving on after any entry in the period is moving on after the first one, so no first entry is needed.
            var movedOn = entered == 0 ? 0
                : await into.Where(c => changes.Any(o => o.DealId == c.DealId && later.Contains(o.ToStage)
                        && (o.ChangedAt > c.ChangedAt || (o.ChangedAt == c.ChangedAt && o.Id > c.Id))))
                    .Select(c => c.DealId).Distinct().CountAsync(ct);
            rows.Add(new ConversionRow(stage, entered, movedOn));
        }
        var created = inScope.Where(d => d.CreatedAt >= start && d.CreatedAt < end);
        var createdCount = await created.CountAsync(ct);
        var wonCount = createdCount == 0 ? 0 : await created.CountAsync(d => changes.Any(o => o.DealId == d.Id && wonStages.Contains(o.ToStage)), ct);
        return new ConversionReport(period, rows, createdCount, wonCount);
    }

    /// <summary>
    /// Money is summed in the store as whole cents, <c>(long)Math.Round((double)amount * 100)</c> in the queries: an
    /// integer sum both engines do natively and exactly, where a decimal sum on SQLite (amounts kept as text) is EF's
    /// .NET function called once per row, and a double sum loses cents. Amounts have two decimals
    /// (<c>HavePrecision(18, 2)</c>), and below ten trillion a double holds an amount closely enough that rounding
    /// its hundredfold gives the exact cents.
    /// </summary>
    private static decimal FromCents(long cents) => cents / 100m;

    /// <summary>Each deal's last change into a closed stage within the period's days in <paramref name="zone"/>.</summary>
    private IQueryable<DealStageChange> LastClosings(List<string> closed, ReportPeriod period, TimeZoneInfo zone)
    {
        var start = LocalDay.StartUtc(period.From, zone);
        var end = LocalDay.StartUtc(period.To.AddDays(1), zone);
        var closings = db.DealStageChanges.AsNoTracking().Where(c => closed.Contains(c.ToStage) && c.ChangedAt >= start && c.ChangedAt < end);
        return closings.Where(c => !closings.Any(o => o.DealId == c.DealId
            && (o.ChangedAt > c.ChangedAt || (o.ChangedAt == c.ChangedAt && o.Id > c.Id))));
    }

    /// <summary>The median of the durations in days, to one decimal (the mean of the middle two for an even count).</summary>
    private static MedianDays Median(List<TimeSpan> durations)
    {
        if (durations.Count == 0) return new MedianDays(null, 0);
        durations.Sort();
        var mid = durations.Count / 2;
        var ticks = durations.Count % 2 == 1 ? durations[mid].Ticks : (durations[mid - 1].Ticks + durations[mid].Ticks) / 2m;
        return new MedianDays(Math.Round(ticks / TimeSpan.TicksPerDay, 1), durations.Count);
    }

    private IQueryable<Deal> InScope(IQueryable<Deal> deals, ReportScope scope) => deals.InScope(db, scope);
}

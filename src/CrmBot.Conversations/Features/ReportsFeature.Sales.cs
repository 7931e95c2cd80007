using System.Globalization;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

/// <summary>`forecast`, `sales cycle` and `conversion`: each over this quarter unless a period is named.</summary>
public sealed partial class ReportsFeature
{
    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>"8.5 days"; "–" when no deal gives a duration.</summary>
    private static string Days(decimal? days) =>
        days is { } d ? d.ToString("0.#", CultureInfo.InvariantCulture) + (d == 1 ? " day" : " days") : "–";

    private static string Median(MedianDays m) => m.Count == 0 ? "–" : $"{Days(m.Days)} (over {Deals(m.Count)})";

    private async Task ForecastAsync(TurnContext context, ReportView view, ReportPeriod? period, CancellationToken ct)
    {
        period ??= ReportPeriod.ThisQuarter(context.Today);
        var report = await pipelineReports.ForecastAsync(view.Scope, period, context.TimeZone, ct);
        // A chart per currency: amounts in different currencies are never added up.
        var currencies = report.ByCurrency.Select(r =>
        {
            (string Label, decimal Amount, int? Count)[] series =
            [
                ("Committed", r.Committed, r.CommittedCount),
                ("Best case", r.BestCase, r.BestCaseCount),
                ("Weighted", r.Weighted, null),
                ("Won", r.Won, r.WonCount),
            ];
            string Text((string Label, decimal Amount, int? Count) s) =>
                CardData.Money(s.Amount, r.Currency) + (s.Count is { } n ? $" ({Count(n)})" : "");
            return new
            {
                currency = r.Currency,
                heading = $"{r.Currency}: best case {CardData.Money(r.BestCase, r.Currency)}, won {CardData.Money(r.Won, r.Currency)}",
                chartTitle = $"Forecast ({r.Currency})",
                bars = series.Select(s => new { x = s.Label, y = s.Amount }).ToList(),
                lines = CardData.TextBars(series.Select(s => (s.Label, s.Amount, Text(s))).ToList()),
                facts = new[]
                {
                    new { title = "Committed", value = $"{Deals(r.CommittedCount)} · {CardData.Money(r.Committed, r.Currency)}" },
                    new { title = "Best case", value = $"{Deals(r.BestCaseCount)} · {CardData.Money(r.BestCase, r.Currency)}" },
                    new { title = "Weighted", value = CardData.Money(r.Weighted, r.Currency) },
                    new { title = "Closed won", value = $"{Deals(r.WonCount)} · {CardData.Money(r.Won, r.Currency)}" },
                },
            };
        }).ToList();
        var title = $"Forecast: {Whose(view)}";
        var subtitle = $"Open deals expected to close {Described(period)}, beside those won in it";
        var emptyText = currencies.Count == 0 ? "No open deal is expected to close in this period and none was won in it." : null;
        var hint = report.OpenWithoutExpectedClose == 0 ? null
            : $"{Deals(report.OpenWithoutExpectedClose)} open with no expected close, so in no period.";
        var fallback = $"{title}\n{subtitle}\n" + (emptyText ?? string.Join("\n", currencies.Select(c => c.heading + "\n" + string.Join("\n", c.lines))))
            + (hint is null ? "" : "\n" + hint);
        context.ReplyCard(CardNames.ReportForecast, new { title, subtitle, emptyText, hint, currencies }, fallback);
    }

    private async Task SalesCycleAsync(TurnContext context, ReportView view, ReportPeriod? period, CancellationToken ct)
    {
        period ??= ReportPeriod.ThisQuarter(context.Today);
        var report = await pipelineReports.SalesCycleAsync(view.Scope, period, context.TimeZone, ct);
        var title = $"Sales cycle: {Whose(view)}";
        var subtitle = $"Deals closed {Described(period)}";
        var emptyText = report.All.Count == 0 ? "No deal was won or lost in this period." : null;
        var close = new[]
        {
            new { title = "Won", value = Median(report.Won) },
            new { title = "Lost", value = Median(report.Lost) },
            new { title = "All closed", value = Median(report.All) },
        };
        var stages = emptyText is not null ? null : new
        {
            bars = report.Stages.Select(s => new { x = s.Stage, y = s.Median.Days ?? 0 }).ToList(),
            lines = CardData.TextBars(report.Stages.Select(s => (s.Stage, s.Median.Days ?? 0, Days(s.Median.Days))).ToList()),
            facts = report.Stages.Select(s => new { title = s.Stage, value = Median(s.Median) }).ToList(),
        };
        var overall = emptyText is not null ? null : $"Median {Days(report.All.Days)} from creation to close";
        var fallback = $"{title}\n{subtitle}\n" + (emptyText
            ?? $"{overall}\n" + string.Join("\n", close.Select(c => $"{c.title}: {c.value}"))
               + "\nMedian days in each stage:\n" + string.Join("\n", stages!.lines));
        context.ReplyCard(CardNames.ReportSalesCycle, new { title, subtitle, emptyText, overall, close = emptyText is null ? close : null, stages }, fallback);
    }

    private async Task ConversionAsync(TurnContext context, ReportView view, ReportPeriod? period, CancellationToken ct)
    {
        period ??= ReportPeriod.ThisQuarter(context.Today);
        var report = await pipelineReports.ConversionAsync(view.Scope, period, context.TimeZone, ct);
        var title = $"Conversion: {Whose(view)}";
        var subtitle = $"Deals that entered each stage {Described(period)}, and how many moved on since";
        var emptyText = report.Created == 0 && report.Stages.All(s => s.Entered == 0) ? "No deal entered a stage in this period." : null;
        var overall = report.Created == 0 ? null
            : $"{Count(report.Won)} of {Deals(report.Created)} created won since ({CardData.Percent(report.Share)})";
        var stages = emptyText is not null ? null : new
        {
            // The chart's values are percentages, as its axis reads.
            bars = report.Stages.Select(s => new { x = s.Stage, y = Math.Round((s.Share ?? 0) * 100, 1) }).ToList(),
            lines = CardData.TextBars(report.Stages.Select(s => (s.Stage, s.Share ?? 0, $"{CardData.Percent(s.Share)} ({Count(s.MovedOn)}/{Count(s.Entered)})")).ToList()),
            facts = report.Stages.Select(s => new
            {
                title = s.Stage,
                value = s.Entered == 0 ? "none entered" : $"{Count(s.MovedOn)} of {Deals(s.Entered)} moved on ({CardData.Percent(s.Share)})",
            }).ToList(),
        };
        var fallback = $"{title}\n{subtitle}\n" + (emptyText
            ?? (overall is null ? "" : overall + "\n") + "Moved on from each stage:\n" + string.Join("\n", stages!.lines));
        context.ReplyCard(CardNames.ReportConversion, new { title, subtitle, emptyText, overall, stages }, fallback);
    }
}

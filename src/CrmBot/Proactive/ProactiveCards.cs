using System.Globalization;
using CrmBot.Conversations.Cards;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// The cards proactive messages carry, bound from the conversation layer's templates so a pushed
/// card looks (and its buttons work) exactly like the one a member gets by asking.
/// </summary>
public sealed class ProactiveCards(CardTemplates templates, IOptions<CrmOptions> crm)
{
    /// <summary>A stage change as the "deal stage changed" card: deal, old → new, amount, who; won celebrated, lost with its reason.</summary>
    public ProactivePayload StageChanged(Deal deal, DealStageChange change, Actor actor)
    {
        var stage = crm.Value.Pipeline.FirstOrDefault(s => s.Name == change.ToStage);
        var won = stage is { IsWon: true };
        var lost = stage is { IsClosed: true, IsWon: false };
        var amount = CardData.Money(deal.Amount, deal.Currency);
        var name = deal.Company is { } company && !deal.Name.Contains(company.Name, StringComparison.OrdinalIgnoreCase)
            ? $"{deal.Name} ({company.Name})" : deal.Name;
        // The same data the conversation's own stage-change reply binds, plus the amount.
        var data = new
        {
            dealId = deal.Id,
            name,
            from = change.FromStage,
            to = change.ToStage,
            reason = change.Reason,
            exitCriterion = stage?.ExitCriterion,
            won,
            closed = stage?.IsClosed == true,
            by = actor.DisplayName,
            amount,
        };
        var text = won
            ? $"🎉 {name} ({amount}) is won! {change.FromStage} → {change.ToStage}, by {actor.DisplayName}."
            : lost
                ? $"{name} ({amount}) was lost: {change.Reason}. {change.FromStage} → {change.ToStage}, by {actor.DisplayName}."
                : $"{name} ({amount}): {change.FromStage} → {change.ToStage}, by {actor.DisplayName}.";
        return new ProactivePayload(text, [new OutboxCard(CardNames.DealStageChanged, templates.Bind(CardNames.DealStageChanged, data))]);
    }

    /// <summary>
    /// The morning digest: the follow-ups card (overdue and due today, with its Done / Snooze / Log
    /// buttons, handled by the conversation engine when clicked) and, after it, the stage changes
    /// this member chose to receive in the digest.
    /// </summary>
    public ProactivePayload Digest(Member member, DueFollowUps due, IReadOnlyList<ProactivePayload> stageChanges)
    {
        var cards = new List<OutboxCard>();
        var parts = new List<string>();
        var lines = new List<string>();
        if (due.Overdue.Count + due.DueToday.Count > 0)
        {
            var zone = LocalDay.Zone(due.TimeZone);
            // The first page, as asking "follow-ups" shows it; its "Show 10 more" is answered by the engine.
            var page = CardData.FollowUpsPage(CardData.FollowUpItems(due, zone), 0);
            cards.Add(new OutboxCard(CardNames.FollowUps, templates.Bind(CardNames.FollowUps, new
            {
                notice = (string?)null,
                today = CardData.Iso(due.Today),
                overdueCount = due.Overdue.Count,
                showing = page.Showing,
                items = page.Items,
                skip = page.Skip,
                more = page.More,
            })));
            if (due.Overdue.Count > 0) parts.Add($"{due.Overdue.Count} overdue");
            if (due.DueToday.Count > 0) parts.Add($"{due.DueToday.Count} due today");
            lines.AddRange(due.Overdue.Select(f => "OVERDUE " + f.Title).Concat(due.DueToday.Select(f => f.Title)));
        }
        foreach (var change in stageChanges)
        {
            cards.AddRange(change.Cards);
            lines.Add(change.Text);
        }
        if (stageChanges.Count > 0) parts.Add(stageChanges.Count == 1 ? "1 deal update" : $"{stageChanges.Count} deal updates");
        var text = $"Good morning, {member.DisplayName}: {string.Join(", ", parts)}.\n" + string.Join("\n", lines);
        return new ProactivePayload(text, cards);
    }

    /// <summary>
    /// The weekly digest: a list of sections (heading, summary, monospace lines, items, note), so further reports
    /// join as sections of their own: the pipeline by stage, this quarter's forecast, what moved last week and the
    /// stale deals. Amounts stay per currency; owners are named only when
    /// <see cref="WeeklyDigestContent.OwnersHiddenBelow"/> is null, else the last section naming deals says why not.
    /// </summary>
    public ProactivePayload WeeklyDigest(WeeklyDigestContent content)
    {
        var title = content.Everyone ? "Weekly digest: everyone's deals" : "Weekly digest: your team";
        var subtitle = $"Open pipeline today · moves of {CardData.Day(content.WeekFrom)} – {CardData.Day(content.WeekTo)}";
        var owners = content.OwnersHiddenBelow is null;
        List<WeeklyDigestSection> sections = [PipelineSection(content.Pipeline), ForecastSection(content.Forecast),
            MovesSection(content.Moves, owners), StaleSection(content.Stale, owners)];
        // Said once, under the last list it concerns, rather than under each.
        if (content.OwnersHiddenBelow is { } min && sections.FindLastIndex(x => x.Key is "moves" or "stale" && x.Items.Count > 0) is var last and >= 0)
            sections[last] = sections[last] with { Note = $"Owners are not named: a team of fewer than {min} members would show each person's figures." };
        var data = new
        {
            title,
            subtitle,
            sections = sections.Select(x => new
            {
                x.Key, x.Heading, x.Summary, x.Lines, x.Items,
                note = x.Note ?? "",
                hasNote = x.Note is not null,
            }),
        };
        var text = new List<string> { $"{title} ({subtitle})" };
        foreach (var x in sections)
        {
            text.Add($"{x.Heading}: {x.Summary}");
            text.AddRange(x.Lines);
            text.AddRange(x.Items);
            if (x.Note is not null) text.Add(x.Note);
        }
        return new ProactivePayload(string.Join("\n", text), [new OutboxCard(CardNames.WeeklyDigest, templates.Bind(CardNames.WeeklyDigest, data))]);
    }

    private static WeeklyDigestSection PipelineSection(PipelineReport report)
    {
        var rows = report.Stages.SelectMany(s => s.Totals.Select(t => (s.Stage, Total: t))).ToList();
        var width = rows.Count == 0 ? 0 : rows.Max(r => r.Stage.Length);
        var lines = rows.Select(r =>
            $"{r.Stage.PadRight(width)} {r.Total.Count,4}  {CardData.Money(r.Total.Amount, r.Total.Currency)} · weighted {CardData.Money(r.Total.Weighted, r.Total.Currency)}").ToList();
        var summary = report.Totals.Count == 0
            ? "No open deals."
            : $"{Plural(report.Totals.Sum(t => t.Count), "open deal")}: " + string.Join(" · ", report.Totals.Select(t =>
                $"{CardData.Money(t.Amount, t.Currency)} (weighted {CardData.Money(t.Weighted, t.Currency)})"));
        return new WeeklyDigestSection("pipeline", "Pipeline", summary, lines, [], null);
    }

    private static WeeklyDigestSection MovesSection(DealMovesReport moves, bool owners)
    {
        var kinds = moves.Totals.GroupBy(t => t.Kind).ToList();
        var width = kinds.Count == 0 ? 0 : kinds.Max(k => MoveLabel(k.Key).Length);
        var lines = kinds.Select(k =>
            $"{MoveLabel(k.Key).PadRight(width)} {k.Sum(t => t.Count),4}  {string.Join(", ", k.Select(t => CardData.Money(t.Amount, t.Currency)))}").ToList();
        var count = moves.Totals.Sum(t => t.Count);
        var summary = count == 0 ? "No deal changed stage." : $"{Plural(count, "deal")} changed stage. The largest:";
        var items = moves.Top.Select(m =>
            $"{m.Name}: {m.From} → {m.To}, {CardData.Money(m.Amount, m.Currency)}" + OwnerSuffix(owners, m.OwnerName)).ToList();
        return new WeeklyDigestSection("moves", "What moved last week", summary, lines, items, null);
    }

    /// <summary>Per currency, one line per figure (committed, best case, weighted, won so far), amounts aligned.</summary>
    private WeeklyDigestSection ForecastSection(ForecastReport forecast)
    {
        var period = forecast.Period;
        var heading = $"Forecast, {period.Label} ({period.From.ToString("d MMM", CultureInfo.InvariantCulture)} – "
            + $"{period.To.ToString("d MMM yyyy", CultureInfo.InvariantCulture)})";
        var rows = forecast.ByCurrency.SelectMany(r => new (string Currency, string Label, decimal Amount, int? Count)[]
        {
            (r.Currency, "committed", r.Committed, r.CommittedCount),
            (r.Currency, "best case", r.BestCase, r.BestCaseCount),
            (r.Currency, "weighted", r.Weighted, null),
            (r.Currency, "won so far", r.Won, r.WonCount),
        }).ToList();
        var width = rows.Count == 0 ? 0 : rows.Max(r => CardData.Money(r.Amount, r.Currency).Length);
        var lines = rows.Select(r => $"{r.Currency} {r.Label,-10} {CardData.Money(r.Amount, r.Currency).PadLeft(width)}"
            + (r.Count is { } n ? "  " + Plural(n, "deal") : "")).ToList();
        var summary = forecast.ByCurrency.Count == 0
            ? "No open deal is expected to close in it, and none was won in it yet."
            : $"{Plural(forecast.ByCurrency.Sum(r => r.BestCaseCount), "open deal")} expected to close, "
              + $"{Plural(forecast.ByCurrency.Sum(r => r.WonCount), "deal")} won so far." + CommittedStages();
        var undated = forecast.OpenWithoutExpectedClose;
        var note = undated == 0 ? null
            : undated == 1 ? "1 open deal has no expected close date, so it is in no quarter."
            : $"{undated} open deals have no expected close date, so they are in no quarter.";
        return new WeeklyDigestSection("forecast", heading, summary, lines, [], note);
    }

    /// <summary>Which stages count as committed, by the same rule as <see cref="PipelineReports.ForecastAsync"/>, so the figure explains itself.</summary>
    private string CommittedStages()
    {
        var options = crm.Value;
        var names = options.Pipeline.Where(s => !s.IsClosed && options.ProbabilityOf(s) >= PipelineReports.CommittedProbability).Select(s => s.Name).ToList();
        return names.Count == 0 ? "" : $" Committed: deals in {string.Join(", ", names)}.";
    }

    private static WeeklyDigestSection StaleSection(StaleDealsReport stale, bool owners)
    {
        var summary = stale.Total == 0
            ? $"No open deal has gone {stale.Days} days without activity or a stage change."
            : $"{Plural(stale.Total, "open deal")} without activity or a stage change for {stale.Days} days or more"
              + (stale.Total > stale.Deals.Count ? $"; the {stale.Deals.Count} idle longest:" : ":");
        var items = stale.Deals.Select(d =>
            $"{d.Name} ({d.Stage}, {CardData.Money(d.Amount, d.Currency)}): idle {Plural(d.DaysIdle, "day")}" + OwnerSuffix(owners, d.Owner)).ToList();
        return new WeeklyDigestSection("stale", "Stale deals", summary, [], items, null);
    }

    private static string OwnerSuffix(bool owners, string? owner) => owners && owner is not null ? $" ({owner})" : "";

    private static string MoveLabel(DealMoveKind kind) => kind switch
    {
        DealMoveKind.Won => "Won",
        DealMoveKind.Lost => "Lost",
        DealMoveKind.Forward => "Moved forward",
        _ => "Moved back",
    };

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}

/// <summary>One section of the weekly digest card (its data's "sections" list; <see cref="Key"/> names it for tests and later sections).</summary>
public sealed record WeeklyDigestSection(string Key, string Heading, string Summary, IReadOnlyList<string> Lines,
    IReadOnlyList<string> Items, string? Note);

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
    /// join as sections of their own. Today: the pipeline by stage and what moved last week. Amounts stay per
    /// currency; owners are named only when <see cref="WeeklyDigestContent.OwnersHiddenBelow"/> is null.
    /// </summary>
    public ProactivePayload WeeklyDigest(WeeklyDigestContent content)
    {
        var title = content.Everyone ? "Weekly digest: everyone's deals" : "Weekly digest: your team";
        var subtitle = $"Open pipeline today · moves of {CardData.Day(content.WeekFrom)} – {CardData.Day(content.WeekTo)}";
        List<WeeklyDigestSection> sections = [PipelineSection(content.Pipeline), MovesSection(content.Moves, content.OwnersHiddenBelow)];
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

    private static WeeklyDigestSection MovesSection(DealMovesReport moves, int? ownersHiddenBelow)
    {
        var kinds = moves.Totals.GroupBy(t => t.Kind).ToList();
        var width = kinds.Count == 0 ? 0 : kinds.Max(k => MoveLabel(k.Key).Length);
        var lines = kinds.Select(k =>
            $"{MoveLabel(k.Key).PadRight(width)} {k.Sum(t => t.Count),4}  {string.Join(", ", k.Select(t => CardData.Money(t.Amount, t.Currency)))}").ToList();
        var count = moves.Totals.Sum(t => t.Count);
        var summary = count == 0 ? "No deal changed stage." : $"{Plural(count, "deal")} changed stage. The largest:";
        var items = moves.Top.Select(m =>
            $"{m.Name}: {m.From} → {m.To}, {CardData.Money(m.Amount, m.Currency)}"
            + (ownersHiddenBelow is null && m.OwnerName is { } owner ? $" ({owner})" : "")).ToList();
        var note = ownersHiddenBelow is { } min && count > 0
            ? $"Owners are not named: a team of fewer than {min} members would show each person's figures."
            : null;
        return new WeeklyDigestSection("moves", "What moved last week", summary, lines, items, note);
    }

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

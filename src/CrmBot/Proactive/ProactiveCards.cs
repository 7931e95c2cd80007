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
}

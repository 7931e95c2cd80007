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
        var amount = FormatAmount(deal.Amount, deal.Currency);
        var data = new
        {
            deal = new { id = deal.Id, name = deal.Name, company = deal.Company?.Name, amount, currency = deal.Currency },
            from = change.FromStage ?? "",
            to = change.ToStage,
            movedBy = actor.DisplayName,
            won,
            lost,
            reason = change.Reason,
        };
        var text = won
            ? $"🎉 {deal.Name} ({amount}) is Closed Won! Moved by {actor.DisplayName}."
            : lost
                ? $"{deal.Name} ({amount}) was Closed Lost by {actor.DisplayName}: {change.Reason}"
                : $"{deal.Name} ({amount}) moved {change.FromStage} → {change.ToStage} by {actor.DisplayName}.";
        return new ProactivePayload(text, [new OutboxCard(CardNames.DealStageChanged, templates.Bind(CardNames.DealStageChanged, data))]);
    }

    /// <summary>
    /// The morning digest: the follow-ups card (overdue and due today, with its buttons) and, after
    /// it, the stage changes this member chose to receive in the digest.
    /// </summary>
    public ProactivePayload Digest(Member member, DueFollowUps due, IReadOnlyList<ProactivePayload> stageChanges)
    {
        var cards = new List<OutboxCard>();
        var parts = new List<string>();
        if (due.Overdue.Count + due.DueToday.Count > 0)
        {
            cards.Add(new OutboxCard(CardNames.FollowUps, templates.Bind(CardNames.FollowUps, FollowUpsData(due))));
            if (due.Overdue.Count > 0) parts.Add($"{due.Overdue.Count} overdue");
            if (due.DueToday.Count > 0) parts.Add($"{due.DueToday.Count} due today");
        }
        foreach (var change in stageChanges) cards.AddRange(change.Cards);
        if (stageChanges.Count > 0) parts.Add(stageChanges.Count == 1 ? "1 deal update" : $"{stageChanges.Count} deal updates");
        return new ProactivePayload($"Good morning, {member.DisplayName}: {string.Join(", ", parts)}.", cards);
    }

    private static object FollowUpsData(DueFollowUps due)
    {
        object Item(FollowUp f) => new
        {
            id = f.Id,
            title = f.Title,
            due = f.DueAt,
            contact = f.Contact is { } c ? new { id = c.Id, name = $"{c.FirstName} {c.LastName}".Trim(), company = c.Company?.Name } : null,
            deal = f.Deal is { } d ? new { id = d.Id, name = d.Name } : null,
        };
        return new
        {
            today = due.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            overdue = due.Overdue.Select(Item).ToList(),
            dueToday = due.DueToday.Select(Item).ToList(),
            empty = due.Overdue.Count + due.DueToday.Count == 0,
        };
    }

    private static string FormatAmount(decimal amount, string currency) =>
        $"{amount.ToString("#,0.##", CultureInfo.InvariantCulture)} {currency}";
}

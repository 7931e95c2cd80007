using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Features;

/// <summary>"What's due?": the follow-ups list, done, snooze, and new follow-ups.</summary>
public sealed class FollowUpsFeature(Recognizer recognizer, FollowUpService followUps) : BuiltInFeature(recognizer)
{
    public const string ShowVerb = "followups.show";
    /// <summary>Data: id.</summary>
    public const string DoneVerb = "followup.done";
    /// <summary>Data: id, days (1 or 7).</summary>
    public const string SnoozeVerb = "followup.snooze";

    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.FollowUps, Intent.Complete, Intent.Snooze, Intent.AddFollowUp];

    public override IReadOnlyCollection<string> Verbs { get; } = [ShowVerb, DoneVerb, SnoozeVerb];

    public override IEnumerable<HelpEntry> Help { get; } =
    [
        new("follow-ups", "What's due today and overdue"),
        new("done 2 · snooze 2 1 week", "Finish or push back item 2 of the list"),
        new("follow up with Jane Doe Friday: send contract", "Add a follow-up"),
    ];

    protected override async Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        switch (r.Intent)
        {
            case Intent.FollowUps:
                await ReplyListAsync(context, null, replaces: false, ct);
                break;
            case Intent.AddFollowUp:
                await context.BeginDialogAsync<ContactFlowDialog>(new ContactFlowState
                {
                    Purpose = ContactFlowPurpose.AddFollowUp,
                    ContactText = r.Contact,
                    WantsFollowUp = true,
                    FollowUpDate = r.FollowUpDate,
                    FollowUpTitle = r.FollowUpTitle,
                }, ct);
                break;
            default:
                var item = await FindItemAsync(context, r, ct);
                if (item is null) return;
                var outcome = r.Intent == Intent.Complete
                    ? await followUps.CompleteAsync(item.Id, context.Actor, ct)
                    : await followUps.SnoozeAsync(item.Id, r.SnoozeUntil is { } until ? SnoozeFor.UntilDate(until) : new SnoozeFor(r.SnoozeDays ?? 1, null), context.Actor, ct);
                await ReplyOutcomeAsync(context, outcome, replaces: false, ct);
                break;
        }
    }

    public override async Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        if (verb == ShowVerb)
        {
            await ReplyListAsync(context, null, replaces: false, ct);
            return;
        }
        if (IntOf(data, "id") is not { } id)
        {
            context.ReplyText("That button is missing which follow-up it is for.");
            return;
        }
        var outcome = verb == DoneVerb
            ? await followUps.CompleteAsync(id, context.Actor, ct)
            : await followUps.SnoozeAsync(id, IntOf(data, "days") is { } days and > 0 ? new SnoozeFor(days, null) : SnoozeFor.OneDay, context.Actor, ct);
        await ReplyOutcomeAsync(context, outcome, replaces: true, ct);
    }

    private async Task ReplyOutcomeAsync(TurnContext context, FollowUpOutcome outcome, bool replaces, CancellationToken ct)
    {
        var f = outcome.FollowUp;
        var notice = outcome.Kind switch
        {
            FollowUpOutcomeKind.Done => $"✓ Done: {f!.Title}",
            FollowUpOutcomeKind.Snoozed => $"Snoozed \"{f!.Title}\" to {CardData.Day(CardData.LocalDate(f.DueAt, context.TimeZone))}",
            FollowUpOutcomeKind.AlreadyDone => $"\"{f!.Title}\" was already done — nothing changed.",
            _ => "That follow-up no longer exists (it may have been undone) — nothing changed.",
        };
        await ReplyListAsync(context, notice, replaces, ct);
    }

    private async Task<FollowUp?> FindItemAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        var due = await followUps.DueAsync(context.Member.Id, ct);
        var items = due.Overdue.Concat(due.DueToday).ToList();
        if (r.Item is { } n)
        {
            if (n >= 1 && n <= items.Count) return items[n - 1];
            context.ReplyText(items.Count == 0 ? "You have no follow-ups due." : $"There's no item {n}; your list has {items.Count}.");
            return null;
        }
        if (r.ItemText is { } text)
        {
            var key = TextFold.Fold(text);
            var hits = items.Where(f => TextFold.Fold(f.Title).Contains(key, StringComparison.Ordinal)
                || (f.Contact is { } c && TextFold.Fold(c.FullName).Contains(key, StringComparison.Ordinal))).ToList();
            if (hits.Count == 1) return hits[0];
            await ReplyListAsync(context, hits.Count == 0 ? $"None of your due follow-ups mention \"{text}\"." : $"Several follow-ups mention \"{text}\"; which number?", false, ct);
            return null;
        }
        await ReplyListAsync(context, "Which one? Use the buttons, or say e.g. \"done 1\".", false, ct);
        return null;
    }

    /// <summary>The follow-ups card: overdue first (marked), then due today, numbered as "done 2" reads them.</summary>
    public async Task ReplyListAsync(TurnContext context, string? notice, bool replaces, CancellationToken ct)
    {
        var due = await followUps.DueAsync(context.Member.Id, ct);
        var items = CardData.FollowUpItems(due, context.TimeZone);
        var lines = due.Overdue.Select(f => (f, true)).Concat(due.DueToday.Select(f => (f, false)))
            .Select((x, i) => $"{i + 1}. {(x.Item2 ? "OVERDUE " : "")}{x.f.Title}" + (x.f.Contact is { } c ? $" ({c.FullName})" : ""));
        var fallback = (notice is null ? "" : notice + "\n") +
            (items.Count == 0 ? "Nothing due today. Nice!" : $"Follow-ups for {CardData.Day(due.Today)}:\n" + string.Join("\n", lines));
        context.ReplyCard(CardNames.FollowUps, new
        {
            notice,
            today = CardData.Iso(due.Today),
            overdueCount = due.Overdue.Count,
            items,
        }, fallback, replaces);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Conversations.Features;

/// <summary>"What's due?": the follow-ups list (today's, or a range of days), done, snooze, and new follow-ups.</summary>
public sealed class FollowUpsFeature(Recognizer recognizer, FollowUpService followUps, CrmDbContext db) : BuiltInFeature(recognizer)
{
    /// <summary>Data (all optional): skip (the page's first item), from and to (yyyy-MM-dd: a range instead of today's list).</summary>
    public const string ShowVerb = "followups.show";
    /// <summary>Data: id; skip, from, to: the list to show afterwards, as for <see cref="ShowVerb"/>.</summary>
    public const string DoneVerb = "followup.done";
    /// <summary>Data: id, days (1 or 7); skip, from, to as for <see cref="DoneVerb"/>.</summary>
    public const string SnoozeVerb = "followup.snooze";

    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.FollowUps, Intent.Complete, Intent.Snooze, Intent.AddFollowUp];

    public override IReadOnlyCollection<string> Verbs { get; } = [ShowVerb, DoneVerb, SnoozeVerb];

    public override IEnumerable<HelpEntry> Help { get; } =
    [
        new("follow-ups", "What's due today and overdue"),
        new("tomorrow · this week · next week · follow-ups for Friday", "What's coming up"),
        new("done 2 · snooze 2 1 week", "Finish or push back item 2 of the list"),
        new("follow up with Jane Doe Friday: send contract", "Add a follow-up"),
    ];

    protected override async Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        switch (r.Intent)
        {
            case Intent.FollowUps:
                await ReplyListAsync(context, null, ListView.Of(r.DueFrom, r.DueTo), replaces: false, ct);
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
        var view = ListView.Of(data);
        if (verb == ShowVerb)
        {
            // A paging button updates its own card; "follow-ups" buttons elsewhere post a new one.
            await ReplyListAsync(context, null, view, replaces: data.ContainsKey("skip"), ct);
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
        await ReplyOutcomeAsync(context, outcome, view, replaces: true, ct);
    }

    private Task ReplyOutcomeAsync(TurnContext context, FollowUpOutcome outcome, bool replaces, CancellationToken ct) =>
        ReplyOutcomeAsync(context, outcome, ListView.Today, replaces, ct);

    private async Task ReplyOutcomeAsync(TurnContext context, FollowUpOutcome outcome, ListView view, bool replaces, CancellationToken ct)
    {
        if (outcome.Kind == FollowUpOutcomeKind.Refused)
        {
            // The card stays as it is: in a channel it may be someone else's list.
            context.ReplyText(outcome.Refusal!);
            return;
        }
        var f = outcome.FollowUp;
        var notice = outcome.Kind switch
        {
            FollowUpOutcomeKind.Done => $"✓ Done: {f!.Title}",
            FollowUpOutcomeKind.Snoozed => $"Snoozed \"{f!.Title}\" to {CardData.Day(CardData.LocalDate(f.DueAt, context.TimeZone))}",
            FollowUpOutcomeKind.AlreadyDone => $"\"{f!.Title}\" was already done — nothing changed.",
            _ => "That follow-up no longer exists (it may have been undone) — nothing changed.",
        };
        await ReplyListAsync(context, notice, view, replaces, ct);
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

    public Task ReplyListAsync(TurnContext context, string? notice, bool replaces, CancellationToken ct) =>
        ReplyListAsync(context, notice, ListView.Today, replaces, ct);

    /// <summary>
    /// The follow-ups card, one page of it. Today's list: overdue first (marked), then due today,
    /// numbered as "done 2" reads them, and when nothing is due, the next few coming up. A range of
    /// days: the open follow-ups due then, unnumbered ("done 2" reads today's list).
    /// </summary>
    private async Task ReplyListAsync(TurnContext context, string? notice, ListView view, bool replaces, CancellationToken ct)
    {
        var today = context.Today;
        string? heading = null;
        string? emptyText = null;
        int overdueCount;
        List<object> items;
        List<string> lines;
        if (view.From is { } from && view.To is { } to)
        {
            var due = await DueBetweenAsync(context, from, to.AddDays(1), int.MaxValue, ct);
            var overdue = due.Where(f => CardData.LocalDate(f.DueAt, context.TimeZone) < today).ToList();
            overdueCount = overdue.Count;
            items = due.Select(f => CardData.FollowUpItem(f, null, overdue.Contains(f), context.TimeZone)).ToList();
            lines = due.Select(f => Line(null, f, overdue.Contains(f), context.TimeZone)).ToList();
            var days = DaysText(from, to, today);
            heading = $"Follow-ups {days}";
            emptyText = due.Count == 0 ? $"Nothing due {days}." : null;
        }
        else
        {
            var due = await followUps.DueAsync(context.Member.Id, ct);
            today = due.Today;
            overdueCount = due.Overdue.Count;
            items = CardData.FollowUpItems(due, context.TimeZone).ToList();
            lines = due.Overdue.Select(f => (f, true)).Concat(due.DueToday.Select(f => (f, false)))
                .Select((x, i) => Line(i + 1, x.f, x.Item2, context.TimeZone)).ToList();
            if (items.Count == 0)
            {
                var upcoming = await DueBetweenAsync(context, today.AddDays(1), DateOnly.MaxValue, 3, ct);
                emptyText = upcoming.Count == 0 ? "Nothing due today, and nothing coming up. Nice!" : "Nothing due today. Nice! Coming up next:";
                items = upcoming.Select(f => CardData.FollowUpItem(f, null, false, context.TimeZone)).ToList();
                lines = upcoming.Select(f => Line(null, f, false, context.TimeZone)).ToList();
            }
        }

        var page = CardData.FollowUpsPage(items, view.Skip);
        var fallback = (notice is null ? "" : notice + "\n") +
            (items.Count == 0 ? emptyText ?? "Nothing due today. Nice!"
                : (emptyText ?? (heading ?? $"Follow-ups for {CardData.Day(today)}") + ":") + "\n"
                  + string.Join("\n", lines.Skip(page.Skip).Take(page.Items.Count))
                  + (page.Showing is null ? "" : $"\n{page.Showing}."));
        context.ReplyCard(CardNames.FollowUps, new
        {
            notice,
            today = CardData.Iso(today),
            heading,
            emptyText,
            overdueCount,
            showing = page.Showing,
            items = page.Items,
            skip = page.Skip,
            from = view.From is { } f ? CardData.Iso(f) : null,
            to = view.To is { } t ? CardData.Iso(t) : null,
            more = page.More,
        }, fallback, replaces);
    }

    private static string Line(int? number, FollowUp f, bool overdue, TimeZoneInfo zone) =>
        (number is { } n ? $"{n}. " : "") + (overdue ? "OVERDUE " : "") + f.Title
        + (f.Contact is { } c ? $" ({c.FullName})" : "")
        + (number is null && !overdue ? $" · {CardData.Day(CardData.LocalDate(f.DueAt, zone))}" : "");

    /// <summary>"for tomorrow, Thu 26 Nov", "for Fri 27 Nov", "this week, Mon 23 – Sun 29 Nov".</summary>
    private static string DaysText(DateOnly from, DateOnly to, DateOnly today)
    {
        if (from == to)
            return from == today ? $"for today, {CardData.Day(from)}"
                : from == today.AddDays(1) ? $"for tomorrow, {CardData.Day(from)}"
                : $"for {CardData.Day(from)}";
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var name = from == monday && to == monday.AddDays(6) ? "this week"
            : from == monday.AddDays(7) && to == monday.AddDays(13) ? "next week"
            : "from";
        return $"{name}{(name == "from" ? " " : ", ")}{CardData.Day(from)} – {CardData.Day(to)}";
    }

    /// <summary>The member's open follow-ups due on or after <paramref name="from"/> and before <paramref name="until"/> (their zone).</summary>
    private async Task<List<FollowUp>> DueBetweenAsync(TurnContext context, DateOnly from, DateOnly until, int max, CancellationToken ct)
    {
        var start = LocalDay.StartUtc(from, context.TimeZone);
        var end = until == DateOnly.MaxValue ? DateTime.MaxValue : LocalDay.StartUtc(until, context.TimeZone);
        var memberId = context.Member.Id;
        return await db.FollowUps
            .Include(f => f.Contact).ThenInclude(c => c!.Company)
            .Include(f => f.Deal)
            .Where(f => f.AssigneeId == memberId && f.Status != FollowUpStatus.Done && f.DueAt >= start && f.DueAt < end)
            .OrderBy(f => f.DueAt).ThenBy(f => f.Id)
            .Take(max)
            .ToListAsync(ct);
    }

    /// <summary>Which list a card shows: today's or a range of days, and from which item on.</summary>
    private sealed record ListView(DateOnly? From, DateOnly? To, int Skip)
    {
        public static ListView Today { get; } = new(null, null, 0);

        public static ListView Of(DateOnly? from, DateOnly? to) => from is { } f && to is { } t && f <= t ? new(f, t, 0) : Today;

        /// <summary>From a button's data; anything unreadable falls back to today's list, first page.</summary>
        public static ListView Of(JsonObject data)
        {
            var skip = IntOf(data, "skip") is { } n and > 0 ? n : 0;
            return Of(Date(StringOf(data, "from")), Date(StringOf(data, "to"))) with { Skip = skip };
        }

        private static DateOnly? Date(string? text) =>
            DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }
}

using System.Globalization;
using CrmBot.Conversations.Dialogs;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Conversations.Features;

public enum ContactFlowPurpose { LogActivity = 0, AddFollowUp = 1, Summary = 2 }

/// <summary>The state of a contact flow between turns (plain data: it is stored as JSON).</summary>
public sealed class ContactFlowState
{
    public ContactFlowPurpose Purpose { get; set; }
    public string? ContactText { get; set; }
    /// <summary>The contact was read from a whole message, so its words may run on into the notes ("emailed Peter Gibbons the quote").</summary>
    public bool ContactMayRunOn { get; set; }
    /// <summary>The message only loosely asked for a contact ("Jane?"): finding nobody means it was not understood.</summary>
    public bool Loose { get; set; }
    /// <summary>How often a name was looked up in this flow; a name question is asked at most twice.</summary>
    public int Searches { get; set; }
    public int? ContactId { get; set; }
    public string? ContactName { get; set; }
    public ActivityType? Type { get; set; }
    public string? Notes { get; set; }
    public bool NotesAsked { get; set; }
    public bool WantsFollowUp { get; set; }
    public string? FollowUpTitle { get; set; }
    public DateOnly? FollowUpDate { get; set; }
    public bool PastDateConfirmed { get; set; }
    public string? MessageLink { get; set; }
    public int? DealId { get; set; }
    public string? DealName { get; set; }
    public bool DealAsked { get; set; }
    /// <summary>The day the activity happened, in the member's zone (null: now).</summary>
    public DateOnly? OccurredOn { get; set; }
    public TimeOnly? OccurredTime { get; set; }
    /// <summary>A follow-up date typed as "1/5" by a member whose date order is not yet known: asked once, then kept.</summary>
    public string? AmbiguousDate { get; set; }
}

/// <summary>
/// Everything that starts with "which contact?": log an activity, add a follow-up, show a summary.
/// Asks only for what is missing (contact, type, notes, follow-up date, which deal), questions a past
/// follow-up date, then does the work. A name that matches nobody offers the closest names, another try or
/// cancel, never the same question a third time. Steps, in order:
/// 0 ask contact · 1 search · 2 picked · 3 ask type · 4 typed · 5 ask notes · 6 noted ·
/// 7 ask date · 8 check date · 9 past date answered · 10 new date · 11 ask deal · 12 deal picked · 13 act ·
/// 14 ask date order · 15 date order answered (then back to 8).
/// </summary>
public sealed class ContactFlowDialog(CrmSearch search, ActivityService activities, FollowUpService followUps, DealService deals,
    MemberService members, ContactService contacts, CrmDbContext db) : WaterfallDialog<ContactFlowState>
{
    public const string DialogName = "contact-flow";
    private const int AskContact = 0, Search = 1, AskType = 3, AskNotes = 5, AskDate = 7, CheckDate = 8, AskDeal = 11, Act = 13, AskOrder = 14;
    private const int MaxSearches = 2;
    /// <summary>Choice values of the "nobody matched" question, next to contact ids.</summary>
    private const string TryAgain = "retry", Stop = "cancel", Create = "create";
    private const int MaxPickerDeals = 5;

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<ContactFlowState>> Steps =>
    [
        AskContactAsync, SearchAsync, PickedAsync, AskTypeAsync, TypedAsync, AskNotesAsync, NotedAsync,
        AskDateAsync, CheckDateAsync, PastDateAnsweredAsync, NewDateAsync, AskDealAsync, DealPickedAsync, ActAsync,
        AskOrderAsync, OrderAnsweredAsync,
    ];

    private static Task<StepResult> AskContactAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.ContactId is not null) return Task.FromResult(step.GoTo(AskType));
        if (s.ContactText is not null) return Task.FromResult(step.Next());
        // A follow-up with a title ("remind me to send the deck") needs no contact.
        if (s.Purpose == ContactFlowPurpose.AddFollowUp && s.FollowUpTitle is not null) return Task.FromResult(step.GoTo(AskType));
        var (question, subject) = s.Purpose switch
        {
            ContactFlowPurpose.Summary => ("Which contact?", "which contact to show"),
            ContactFlowPurpose.AddFollowUp => ("Who should you follow up with?", "who to follow up with"),
            _ => ($"Who was the {Describe(s.Type) ?? "activity"} with?", $"who the {Describe(s.Type) ?? "activity"} was with"),
        };
        return Task.FromResult(step.Ask(Prompt.ForName(question, subject)));
    }

    private async Task<StepResult> SearchAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (step.Answer is { } answer)
        {
            s.ContactText = answer.Text;
            s.ContactMayRunOn = false;
        }
        var query = s.ContactText ?? "";
        s.Searches++;
        var pick = Picking.Decide(await search.FindContactsAsync(query, 5, ct));
        if (pick.Kind is not (PickKind.Clear or PickKind.Ambiguous) && s.ContactMayRunOn
            && await LongestNameAsync(s, query, minWords: pick.Kind == PickKind.None ? 1 : 2, ct) is { } shorter)
        {
            pick = shorter;
            query = s.ContactText!;
        }
        s.ContactMayRunOn = false;
        switch (pick.Kind)
        {
            case PickKind.Clear:
                Choose(s, pick.Item!);
                return step.GoTo(AskType);
            case PickKind.None when s.Purpose == ContactFlowPurpose.Summary:
                if (s.Loose) step.Context.ReplyText($"Sorry, I didn't understand \"{step.Context.Turn.Text?.Trim()}\". Type \"help\" to see what I can do.");
                else step.Context.ReplyText($"I couldn't find a contact called \"{query}\". Check the spelling, or try part of the name.");
                return step.End();
            case PickKind.None:
                return AskAgainOrStop(step, $"I couldn't find a contact called \"{query}\".", []);
            default:
                var options = pick.Candidates.Select(m => (m.Item.Id.ToString(CultureInfo.InvariantCulture), m.Item.FullName, m.Item.Company?.Name)).ToList();
                if (pick.Kind == PickKind.Ambiguous)
                    return step.Ask(Picking.Prompt($"Which \"{query}\" do you mean?", options, offerNone: false, PromptExpect.Name, "which contact you meant"));
                return AskAgainOrStop(step, $"I couldn't find \"{query}\". Did you mean one of these?", options);
        }
    }

    /// <summary>
    /// "Did you mean…" (when there are close names) or "nobody matched", with another try while tries are left, and
    /// cancel. A name typed instead answers it too. After the last try only cancel is left: no third identical question.
    /// </summary>
    private static StepResult AskAgainOrStop(StepContext<ContactFlowState> step, string question, List<(string, string, string?)> options)
    {
        var s = step.State;
        var tryAgain = s.Searches < MaxSearches;
        // A log or follow-up for someone new: add them in one tap. The name must be one a contact can have.
        var name = s.ContactText?.Trim();
        var canCreate = s.Purpose != ContactFlowPurpose.Summary && name is { Length: > 0 } && Prompts.CanBeName(new Utterance(name, step.Context.Today));
        if (options.Count == 0 && !tryAgain && !canCreate)
        {
            step.Context.ReplyText($"{question} I've stopped looking, and nothing was saved. Check the name with \"who is …\", then try again.");
            return step.End();
        }
        var extras = new List<(string, string)>();
        if (tryAgain) extras.Add((TryAgain, "Try another name"));
        if (canCreate) extras.Add((Create, $"Add \"{name}\" as a new contact"));
        extras.Add((Stop, "Cancel"));
        var text = options.Count > 0 ? $"{question} Pick one, or type another name."
            : tryAgain ? $"{question} Type another name, add them as a new contact, or cancel."
            : $"{question} Add them as a new contact, or cancel.";
        // After the last try a typed name is no answer: the name question is not asked a third time.
        return step.Ask(Picking.Prompt(text, options, offerNone: false, tryAgain ? PromptExpect.Name : PromptExpect.Any, "which contact you meant", extras));
    }

    /// <summary>
    /// "emailed Peter Gibbons the revised quote": the contact is the longest run of leading words that names
    /// someone; the words after it are the notes. When the whole text was close to a name ("Jane Dow"), a first
    /// name alone does not count, so the typo gets its "did you mean" instead of "Dow" becoming the notes.
    /// </summary>
    private async Task<Pick<Contact>?> LongestNameAsync(ContactFlowState s, string query, int minWords, CancellationToken ct)
    {
        var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var n = words.Length - 1; n >= minWords; n--)
        {
            var name = string.Join(' ', words[..n]);
            var pick = Picking.Decide(await search.FindContactsAsync(name, 5, ct));
            if (pick.Kind is not (PickKind.Clear or PickKind.Ambiguous)) continue;
            var rest = string.Join(' ', words[n..]).Trim(' ', ',', ';', ':', '-');
            s.ContactText = name;
            if (rest.Length > 0) s.Notes = s.Notes is null ? rest : $"{s.Notes}: {rest}";
            return pick;
        }
        return null;
    }

    private async Task<StepResult> PickedAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        var answer = step.Answer;
        if (answer is { Choice: null, Text.Length: > 0 })
        {
            // A name typed instead of a pick: look it up.
            s.ContactText = answer.Text;
            return step.GoTo(Search);
        }
        switch (answer?.Choice)
        {
            case Stop:
                step.Context.ReplyText("Okay, I've stopped that; nothing was saved.");
                return step.End();
            case TryAgain or Picking.NoneOfThese or null:
                s.ContactText = null;
                return step.GoTo(AskContact);
            case Create when s.ContactText is { } name:
                var words = name.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var created = await contacts.CreateAsync(new NewContact(words[0], words.Length > 1 ? words[1] : ""), step.Context.Actor, ct);
                step.Context.ReplyText($"Added contact {created.Contact.FullName}.");
                Choose(s, created.Contact);
                return step.Next();
        }
        if (!int.TryParse(answer.Choice, CultureInfo.InvariantCulture, out var id))
        {
            s.ContactText = null;
            return step.GoTo(AskContact);
        }
        var contact = await search.SummaryAsync(id, ct);
        if (contact is null)
        {
            s.ContactText = null;
            step.Context.ReplyText("That contact is gone.");
            return step.GoTo(AskContact);
        }
        Choose(s, contact.Contact);
        return step.Next();
    }

    private static Task<StepResult> AskTypeAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.Purpose != ContactFlowPurpose.LogActivity || s.Type is not null) return Task.FromResult(step.GoTo(AskNotes));
        return Task.FromResult(step.Ask(Prompt.ForChoice($"What kind of activity was it with {s.ContactName}?",
        [
            new Choice(nameof(ActivityType.Call), "Call"),
            new Choice(nameof(ActivityType.Meeting), "Meeting"),
            new Choice(nameof(ActivityType.Email), "Email"),
            new Choice(nameof(ActivityType.Note), "Note"),
        ])));
    }

    private static Task<StepResult> TypedAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        if (Enum.TryParse<ActivityType>(step.Answer?.Choice, out var type)) step.State.Type = type;
        return Task.FromResult(step.State.Type is null ? step.GoTo(AskType) : step.Next());
    }

    private static Task<StepResult> AskNotesAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.Purpose != ContactFlowPurpose.LogActivity || s.Notes is not null || s.NotesAsked) return Task.FromResult(step.GoTo(AskDate));
        s.NotesAsked = true;
        return Task.FromResult(step.Ask(Prompt.ForFreeText("Any notes? What was discussed (or \"skip\")?",
            $"the notes for the {Describe(s.Type)} with {s.ContactName}")));
    }

    private static Task<StepResult> NotedAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var text = step.Answer?.Text ?? "";
        step.State.Notes = TextFold.Fold(text) is "skip" or "none" or "no" or "nothing" or "n a" ? "" : text.Trim();
        return Task.FromResult(step.Next());
    }

    private static Task<StepResult> AskDateAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.Purpose == ContactFlowPurpose.Summary || !s.WantsFollowUp || s.FollowUpDate is not null) return Task.FromResult(step.GoTo(CheckDate));
        return Task.FromResult(step.Ask(Prompt.ForDate("When should I remind you to follow up? (e.g. \"tomorrow\", \"next Tue\", \"Dec 3\")",
            subject: $"when to follow up with {s.ContactName}")));
    }

    private static Task<StepResult> CheckDateAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        TakeDate(step);
        if (s.AmbiguousDate is not null) return Task.FromResult(step.GoTo(AskOrder));
        if (s.FollowUpDate is { } date && date < step.Context.Today && !s.PastDateConfirmed)
        {
            return Task.FromResult(step.Ask(Prompt.ForConfirm(
                $"{date.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)} is in the past. Set the follow-up for that date anyway? (yes/no)",
                subject: "the follow-up date in the past")));
        }
        return Task.FromResult(step.GoTo(AskDeal));
    }

    private static Task<StepResult> PastDateAnsweredAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        if (step.Answer?.Confirmed == true)
        {
            step.State.PastDateConfirmed = true;
            return Task.FromResult(step.GoTo(AskDeal));
        }
        return Task.FromResult(step.Ask(Prompt.ForDate("Which date then?", subject: "the follow-up date")));
    }

    private static Task<StepResult> NewDateAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        step.State.FollowUpDate = step.Answer?.Date;
        TakeDate(step);
        return Task.FromResult(step.GoTo(CheckDate));
    }

    /// <summary>A typed date answer; "1/5" from a member whose date order is unknown is asked about once.</summary>
    private static void TakeDate(StepContext<ContactFlowState> step)
    {
        if (step.Answer is not { Date: { } date } answer) return;
        step.State.FollowUpDate = date;
        if (step.Context.Member.DateOrder is null && DateParser.IsAmbiguous(answer.Text, step.Context.Today)) step.State.AmbiguousDate = answer.Text;
    }

    private static Task<StepResult> AskOrderAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var text = step.State.AmbiguousDate!;
        var today = step.Context.Today;
        if (DateParser.Find(text, today, DateOrder.MonthFirst) is not { } monthFirst || DateParser.Find(text, today, DateOrder.DayFirst) is not { } dayFirst)
        {
            step.State.AmbiguousDate = null;
            return Task.FromResult(step.GoTo(CheckDate));
        }
        return Task.FromResult(step.Ask(Picking.Prompt($"By \"{monthFirst.Text}\", do you mean {Cards.CardData.Day(monthFirst.Date)} or {Cards.CardData.Day(dayFirst.Date)}? I'll remember for next time.",
        [
            (nameof(DateOrder.MonthFirst), Cards.CardData.Day(monthFirst.Date), "month first"),
            (nameof(DateOrder.DayFirst), Cards.CardData.Day(dayFirst.Date), "day first"),
        ], offerNone: false, subject: $"which date \"{monthFirst.Text}\" is")));
    }

    private async Task<StepResult> OrderAnsweredAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        var text = s.AmbiguousDate!;
        s.AmbiguousDate = null;
        if (!Enum.TryParse<DateOrder>(step.Answer?.Choice, out var order)) return step.GoTo(CheckDate);
        var context = step.Context;
        s.FollowUpDate = DateParser.Find(text, context.Today, order)?.Date ?? s.FollowUpDate;
        await members.SetDateOrderAsync(context.Member.Id, order, context.Actor, ct);
        context.ReplyText($"Got it: I'll read dates like {text} as {(order == DateOrder.DayFirst ? "day/month" : "month/day")} from now on.");
        return step.GoTo(CheckDate);
    }

    /// <summary>A log goes with the contact's one open deal; with several, the rep picks one (or none).</summary>
    private async Task<StepResult> AskDealAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.Purpose != ContactFlowPurpose.LogActivity || s.DealId is not null || s.DealAsked || s.ContactId is not { } contactId) return step.GoTo(Act);
        s.DealAsked = true;
        var closed = deals.ClosedStageNames;
        var open = await db.Deals.AsNoTracking().Where(d => d.ContactId == contactId && !closed.Contains(d.Stage))
            .OrderByDescending(d => d.UpdatedAt).ThenBy(d => d.Id).Take(MaxPickerDeals + 1).Select(d => new { d.Id, d.Name, d.Stage }).ToListAsync(ct);
        if (open.Count == 0) return step.GoTo(Act);
        if (open.Count == 1)
        {
            (s.DealId, s.DealName) = (open[0].Id, open[0].Name);
            return step.GoTo(Act);
        }
        var options = open.Take(MaxPickerDeals).Select(d => (d.Id.ToString(CultureInfo.InvariantCulture), d.Name, (string?)d.Stage)).ToList();
        return step.Ask(Picking.Prompt($"{s.ContactName} has {open.Count} open deals. Which one was this about?", options, offerNone: false,
            subject: $"which of {s.ContactName}'s deals this was about", extras: [(NoDeal, "No deal")]));
    }

    private const string NoDeal = "no-deal";

    private async Task<StepResult> DealPickedAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (int.TryParse(step.Answer?.Choice, CultureInfo.InvariantCulture, out var dealId)
            && await db.Deals.AsNoTracking().Where(d => d.Id == dealId).Select(d => d.Name).FirstOrDefaultAsync(ct) is { } name)
            (s.DealId, s.DealName) = (dealId, name);
        return step.Next();
    }

    private async Task<StepResult> ActAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        var context = step.Context;
        switch (s.Purpose)
        {
            case ContactFlowPurpose.Summary:
                await ContactFeature.ReplySummaryAsync(context, search, s.ContactId!.Value, ct);
                break;
            case ContactFlowPurpose.AddFollowUp:
                var title = s.FollowUpTitle ?? $"Follow up with {s.ContactName}";
                var item = await followUps.CreateAsync(new NewFollowUp(title, s.FollowUpDate ?? context.Today), s.ContactId, null, context.Actor, ct);
                context.ReplyText($"Follow-up set: {item.Title}, due {Cards.CardData.Day(s.FollowUpDate ?? context.Today)}.");
                break;
            default:
                var followUp = s.WantsFollowUp && s.FollowUpDate is { } due
                    ? new NewFollowUp(s.FollowUpTitle ?? $"Follow up with {s.ContactName}", due)
                    : null;
                var logged = await activities.LogAsync(new LogActivity(s.ContactId!.Value, s.Type!.Value, s.Notes ?? "", DealId: s.DealId,
                    OccurredAt: OccurredAt(s, context),
                    MessageLink: s.MessageLink ?? context.Turn.MessageLink, FollowUp: followUp), context.Actor, ct);
                LogActivityFeature.ReplyLogged(context, logged, s.ContactName ?? "", s.DealName);
                break;
        }
        return step.End();
    }

    /// <summary>
    /// When a logged activity happened, in UTC: the given day and time in the member's zone; a past day without a
    /// time at noon; a time without a day today; null (now) when neither was said.
    /// </summary>
    private static DateTime? OccurredAt(ContactFlowState s, TurnContext context)
    {
        if (s.OccurredOn is null && s.OccurredTime is null) return null;
        var day = s.OccurredOn ?? context.Today;
        if (day == context.Today && s.OccurredTime is null) return null;
        return LocalDay.Utc(day, s.OccurredTime ?? new TimeOnly(12, 0), context.TimeZone);
    }

    private static void Choose(ContactFlowState s, Contact contact)
    {
        s.ContactId = contact.Id;
        s.ContactName = contact.FullName;
    }

    internal static string? Describe(ActivityType? type) => type switch
    {
        ActivityType.Call => "call",
        ActivityType.Meeting => "meeting",
        ActivityType.Email => "email",
        ActivityType.Note => "note",
        _ => null,
    };
}

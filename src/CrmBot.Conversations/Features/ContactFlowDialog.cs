using System.Globalization;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Features;

public enum ContactFlowPurpose { LogActivity = 0, AddFollowUp = 1, Summary = 2 }

/// <summary>The state of a contact flow between turns (plain data: it is stored as JSON).</summary>
public sealed class ContactFlowState
{
    public ContactFlowPurpose Purpose { get; set; }
    public string? ContactText { get; set; }
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
}

/// <summary>
/// Everything that starts with "which contact?": log an activity, add a follow-up, show a summary.
/// Asks only for what is missing (contact, type, notes, follow-up date), questions a past
/// follow-up date, then does the work. Steps, in order:
/// 0 ask contact · 1 search · 2 picked · 3 ask type · 4 typed · 5 ask notes · 6 noted ·
/// 7 ask date · 8 check date · 9 past date answered · 10 new date · 11 act.
/// </summary>
public sealed class ContactFlowDialog(CrmSearch search, ActivityService activities, FollowUpService followUps) : WaterfallDialog<ContactFlowState>
{
    public const string DialogName = "contact-flow";
    private const int AskContact = 0, Search = 1, AskType = 3, AskNotes = 5, AskDate = 7, CheckDate = 8, Act = 11;

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<ContactFlowState>> Steps =>
    [
        AskContactAsync, SearchAsync, PickedAsync, AskTypeAsync, TypedAsync, AskNotesAsync, NotedAsync,
        AskDateAsync, CheckDateAsync, PastDateAnsweredAsync, NewDateAsync, ActAsync,
    ];

    private static Task<StepResult> AskContactAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.ContactId is not null) return Task.FromResult(step.GoTo(AskType));
        if (s.ContactText is not null) return Task.FromResult(step.Next());
        // A follow-up with a title ("remind me to send the deck") needs no contact.
        if (s.Purpose == ContactFlowPurpose.AddFollowUp && s.FollowUpTitle is not null) return Task.FromResult(step.GoTo(AskType));
        var question = s.Purpose switch
        {
            ContactFlowPurpose.Summary => "Which contact?",
            ContactFlowPurpose.AddFollowUp => "Who should you follow up with?",
            _ => $"Who was the {Describe(s.Type) ?? "activity"} with?",
        };
        return Task.FromResult(step.Ask(Prompt.ForText(question)));
    }

    private async Task<StepResult> SearchAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (step.Answer is { } answer) s.ContactText = answer.Text;
        var query = s.ContactText ?? "";
        var pick = Picking.Decide(await search.FindContactsAsync(query, 5, ct));
        switch (pick.Kind)
        {
            case PickKind.Clear:
                Choose(s, pick.Item!);
                return step.GoTo(AskType);
            case PickKind.None:
                s.ContactText = null;
                step.Context.ReplyText($"I couldn't find a contact called \"{query}\".");
                return step.GoTo(AskContact);
            default:
                var options = pick.Candidates.Select(m => (m.Item.Id.ToString(CultureInfo.InvariantCulture), m.Item.FullName, m.Item.Company?.Name)).ToList();
                var question = pick.Kind == PickKind.Ambiguous ? $"Which \"{query}\" do you mean?" : $"I couldn't find \"{query}\". Did you mean…";
                return step.Ask(Picking.Prompt(question, options, offerNone: pick.Kind == PickKind.DidYouMean));
        }
    }

    private async Task<StepResult> PickedAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        var choice = step.Answer?.Choice;
        if (choice is null || choice == Picking.NoneOfThese || !int.TryParse(choice, CultureInfo.InvariantCulture, out var id))
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
        return Task.FromResult(step.Ask(Prompt.ForText("Any notes? What was discussed (or \"skip\")?")));
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
        return Task.FromResult(step.Ask(Prompt.ForDate("When should I remind you to follow up? (e.g. \"tomorrow\", \"next Tue\", \"Dec 3\")")));
    }

    private static Task<StepResult> CheckDateAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        var s = step.State;
        if (step.Answer?.Date is { } answered) s.FollowUpDate = answered;
        if (s.FollowUpDate is { } date && date < step.Context.Today && !s.PastDateConfirmed)
        {
            return Task.FromResult(step.Ask(Prompt.ForConfirm(
                $"{date.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)} is in the past. Set the follow-up for that date anyway? (yes/no)")));
        }
        return Task.FromResult(step.GoTo(Act));
    }

    private static Task<StepResult> PastDateAnsweredAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        if (step.Answer?.Confirmed == true)
        {
            step.State.PastDateConfirmed = true;
            return Task.FromResult(step.GoTo(Act));
        }
        return Task.FromResult(step.Ask(Prompt.ForDate("Which date then?")));
    }

    private static Task<StepResult> NewDateAsync(StepContext<ContactFlowState> step, CancellationToken ct)
    {
        step.State.FollowUpDate = step.Answer?.Date;
        return Task.FromResult(step.GoTo(CheckDate));
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
                var logged = await activities.LogAsync(new LogActivity(s.ContactId!.Value, s.Type!.Value, s.Notes ?? "",
                    MessageLink: s.MessageLink ?? context.Turn.MessageLink, FollowUp: followUp), context.Actor, ct);
                LogActivityFeature.ReplyLogged(context, logged, s.ContactName ?? "");
                break;
        }
        return step.End();
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

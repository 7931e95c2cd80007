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

/// <summary>Logging calls, meetings, emails and notes (by message or form), and undoing the last log.</summary>
public sealed class LogActivityFeature(Recognizer recognizer, CrmDbContext db, ActivityService activities, UndoService undo)
    : BuiltInFeature(recognizer)
{
    /// <summary>Show the log form; data may carry contactId and type to prefill it.</summary>
    public const string FormVerb = "log.form";
    /// <summary>The log form's submit: inputs contact, type, notes, followUpTitle, followUpDate.</summary>
    public const string SubmitVerb = "log.submit";
    /// <summary>Undo a log from its own card; data carries activityId (the member's own logs only).</summary>
    public const string UndoVerb = "log.undo";
    /// <summary>Add a follow-up from the "activity logged" card: contactId, followUpTitle, followUpDate.</summary>
    public const string AddFollowUpVerb = "followup.add";

    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.LogActivity, Intent.Undo];

    public override IReadOnlyCollection<string> Verbs { get; } = [FormVerb, SubmitVerb, UndoVerb, AddFollowUpVerb];

    public override IEnumerable<HelpEntry> Help { get; } =
    [
        new("log call with Jane Doe: discussed pricing, follow up Tue", "Log a call, meeting, email or note, with a follow-up"),
        new("log", "Open the log form"),
        new("undo", "Undo your last change (within 10 minutes)"),
    ];

    protected override async Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        if (r.Intent == Intent.Undo)
        {
            await UndoLatestAsync(context, ct);
            return;
        }
        if (r.Contact is null && r.ActivityType is null && r.Notes is null)
        {
            await ReplyFormAsync(context, null, null, ct);
            return;
        }
        await context.BeginDialogAsync<ContactFlowDialog>(new ContactFlowState
        {
            Purpose = ContactFlowPurpose.LogActivity,
            ContactText = r.Contact,
            ContactMayRunOn = true,
            Type = r.ActivityType,
            Notes = r.Notes,
            WantsFollowUp = r.WantsFollowUp,
            FollowUpDate = r.FollowUpDate,
            AmbiguousDate = context.Member.DateOrder is null && DateParser.IsAmbiguous(r.FollowUpDateText, context.Today) ? r.FollowUpDateText : null,
            FollowUpTitle = r.FollowUpTitle,
            OccurredOn = r.OccurredOn,
            OccurredTime = r.OccurredTime,
            MessageLink = context.Turn.MessageLink,
        }, ct);
    }

    public override async Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        switch (verb)
        {
            case FormVerb:
                await ReplyFormAsync(context, IntOf(data, "contactId"), StringOf(data, "type"), ct);
                break;
            case SubmitVerb:
                await SubmitAsync(context, data, ct);
                break;
            case UndoVerb:
                await UndoLogAsync(context, IntOf(data, "activityId"), ct);
                break;
            case AddFollowUpVerb:
                await AddFollowUpAsync(context, data, ct);
                break;
        }
    }

    private async Task SubmitAsync(TurnContext context, JsonObject data, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var contactText = StringOf(data, "contact");
        var contactId = IntOf(data, "contactId");
        if (contactText is null && contactId is null) errors["contact"] = "Who was it with?";
        var typeText = StringOf(data, "type");
        ActivityType? type = Enum.TryParse<ActivityType>(typeText, ignoreCase: true, out var t) ? t : Recognizer.ParseActivityType(typeText);
        if (type is null) errors["type"] = "Pick call, meeting, email or note.";
        var dateText = StringOf(data, "followUpDate");
        DateOnly? date = null;
        if (dateText is not null)
        {
            date = DateParser.Parse(dateText, context.Today, context.Member.DateOrder);
            if (date is null) errors["followUpDate"] = "That isn't a date I can read; try 2026-12-03, \"tomorrow\" or \"next Tue\".";
        }
        var title = StringOf(data, "followUpTitle");
        if (title is not null && dateText is null) errors["followUpDate"] = "When should the follow-up be due?";
        if (errors.Count > 0)
        {
            context.Reply(new FieldErrorsReply(errors, "Please check the form: " + string.Join(" ", errors.Values)));
            return;
        }
        // A prefilled form carries the contact's id; if the name in the box was changed, the name wins.
        var prefilled = contactId is null ? null : await ContactNameAsync(contactId.Value, ct);
        if (prefilled is null || (contactText is not null && TextFold.Fold(contactText) != TextFold.Fold(prefilled))) contactId = null;
        await context.BeginDialogAsync<ContactFlowDialog>(new ContactFlowState
        {
            Purpose = ContactFlowPurpose.LogActivity,
            ContactId = contactId,
            ContactName = contactId is null ? null : prefilled,
            ContactText = contactText,
            MessageLink = context.Turn.MessageLink,
            Type = type,
            Notes = StringOf(data, "notes") ?? "",
            WantsFollowUp = date is not null,
            FollowUpDate = date,
            FollowUpTitle = title,
        }, ct);
    }

    /// <summary>Typed "undo": the member's own latest change on this channel, within the window, once.</summary>
    private async Task UndoLatestAsync(TurnContext context, CancellationToken ct)
    {
        var result = await undo.UndoLatestAsync(context.Actor, ct);
        var minutes = (int)UndoService.Window.TotalMinutes;
        context.ReplyText(result.Status switch
        {
            UndoStatus.Undone => $"Undone: {result.What}.",
            UndoStatus.AlreadyUndone => "Your last change is already undone. Older changes are undone from their own card's Undo button.",
            UndoStatus.NotUndoable => $"Your last change ({result.What}) can't be undone by typing \"undo\"; change it back from its card.",
            _ => $"There's nothing to undo: you've made no change here in the last {minutes} minutes. Older changes are undone from their own card.",
        });
    }

    private async Task UndoLogAsync(TurnContext context, int? activityId, CancellationToken ct)
    {
        var undone = activityId is { } id ? await activities.UndoAsync(id, context.Actor, ct) : null;
        if (undone is null)
        {
            context.ReplyText("That log is already gone (or isn't yours to undo).");
            return;
        }
        context.ReplyText($"Undone: {undone.What}.");
    }

    private async Task AddFollowUpAsync(TurnContext context, JsonObject data, CancellationToken ct)
    {
        var contactId = IntOf(data, "contactId");
        var dateText = StringOf(data, "followUpDate");
        var date = DateParser.Parse(dateText, context.Today, context.Member.DateOrder);
        if (date is null)
        {
            context.Reply(new FieldErrorsReply(new Dictionary<string, string>
            {
                ["followUpDate"] = dateText is null ? "When should the follow-up be due?" : "That isn't a date I can read; try 2026-12-03 or \"next Tue\".",
            }, "The follow-up needs a date."));
            return;
        }
        var name = contactId is null ? null : await ContactNameAsync(contactId.Value, ct);
        var title = StringOf(data, "followUpTitle") ?? (name is null ? "Follow up" : $"Follow up with {name}");
        await context.BeginDialogAsync<ContactFlowDialog>(new ContactFlowState
        {
            Purpose = ContactFlowPurpose.AddFollowUp,
            ContactId = name is null ? null : contactId,
            ContactName = name,
            WantsFollowUp = true,
            FollowUpDate = date,
            FollowUpTitle = title,
        }, ct);
    }

    private async Task<string?> ContactNameAsync(int contactId, CancellationToken ct) =>
        (await db.Contacts.Where(c => c.Id == contactId).Select(c => c.FirstName + " " + c.LastName).FirstOrDefaultAsync(ct))?.Trim();

    private async Task ReplyFormAsync(TurnContext context, int? contactId, string? type, CancellationToken ct)
    {
        var contactName = contactId is null ? null : await ContactNameAsync(contactId.Value, ct);
        context.ReplyCard(CardNames.LogForm, new
        {
            contactId,
            contact = contactName,
            type = (Recognizer.ParseActivityType(type) ?? ActivityType.Call).ToString(),
            today = CardData.Iso(context.Today),
        }, "Log an activity: tell me e.g. \"log call with Jane Doe: discussed pricing, follow up Tue\".");
    }

    /// <summary>The "activity logged" card, with Undo and Add follow-up.</summary>
    public static void ReplyLogged(TurnContext context, LoggedActivity logged, string contactName, string? dealName = null)
    {
        var a = logged.Activity;
        var due = logged.FollowUp is { } f ? CardData.LocalDate(f.DueAt, context.TimeZone) : (DateOnly?)null;
        var type = CardData.TypeName(a.Type);
        // Said only when it is not "just now", so a day or time read from the message is visibly the one stored.
        var occurred = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(a.OccurredAt, DateTimeKind.Utc), context.TimeZone);
        var when = Math.Abs((a.OccurredAt - a.CreatedAt).TotalMinutes) < 1 ? null
            : $"{CardData.Day(DateOnly.FromDateTime(occurred))}, {occurred.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var text = $"Logged: {type.ToLowerInvariant()} with {contactName}" + (when is null ? "" : $" on {when}") + (dealName is null ? "" : $" (deal: {dealName})") + (a.Notes.Length > 0 ? $" — {a.Notes}" : "") +
                   (logged.FollowUp is { } fu ? $". Follow-up \"{fu.Title}\" due {CardData.Day(due!.Value)}." : ".");
        context.ReplyCard(CardNames.ActivityLogged, new
        {
            activityId = a.Id,
            contactId = a.ContactId,
            contact = contactName,
            company = a.Contact?.Company?.Name,
            type,
            when,
            deal = dealName,
            notes = a.Notes,
            followUp = logged.FollowUp is { } item ? new { id = item.Id, title = item.Title, due = CardData.Iso(due!.Value) } : null,
            today = CardData.Iso(context.Today),
        }, text);
    }

    internal static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}

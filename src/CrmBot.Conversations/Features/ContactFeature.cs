using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

/// <summary>Contact summaries: company, open deals, last activities, next follow-up.</summary>
public sealed class ContactFeature(Recognizer recognizer, CrmSearch search) : BuiltInFeature(recognizer)
{
    /// <summary>Data: contactId.</summary>
    public const string ShowVerb = "contact.show";

    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.ContactSummary];

    public override IReadOnlyCollection<string> Verbs { get; } = [ShowVerb];

    public override IEnumerable<HelpEntry> Help { get; } =
    [
        new("who is Jane Doe", "A contact's company, open deals, last activities, next follow-up"),
        new("who is Acme", "A company's contacts, open deals, last activities, next follow-ups"),
    ];

    protected override async Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        // Decided before the contact flow starts, so that flow stays about contacts only.
        if (r.Contact is { } name && await CompanyCard.FindAsync(search, name, ct) is { } companyId)
        {
            await CompanyCard.ReplyAsync(context, search, companyId, ct);
            return;
        }
        await context.BeginDialogAsync<ContactFlowDialog>(new ContactFlowState { Purpose = ContactFlowPurpose.Summary, ContactText = r.Contact, Loose = r.Confidence < 0.9 }, ct);
    }

    public override async Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        if (IntOf(data, "contactId") is { } id) await ReplySummaryAsync(context, search, id, ct);
        else context.ReplyText("That button is missing which contact it is for.");
    }

    public static async Task ReplySummaryAsync(TurnContext context, CrmSearch search, int contactId, CancellationToken ct)
    {
        var s = await search.SummaryAsync(contactId, ct);
        if (s is null)
        {
            context.ReplyText("That contact no longer exists.");
            return;
        }
        var c = s.Contact;
        var next = s.NextFollowUp is { } f ? new { title = f.Title, due = CardData.Iso(CardData.LocalDate(f.DueAt, context.TimeZone)) } : null;
        var fallback = $"{c.FullName}" + (c.Title is null ? "" : $", {c.Title}") + (s.Company is null ? "" : $" at {s.Company.Name}") +
            $"\nOpen deals: {(s.OpenDeals.Count == 0 ? "none" : string.Join(", ", s.OpenDeals.Select(d => $"{d.Name} ({d.Stage})")))}" +
            $"\nLast activity: {(s.LastActivities.Count == 0 ? "none" : $"{s.LastActivities[0].Type} on {CardData.Day(CardData.LocalDate(s.LastActivities[0].OccurredAt, context.TimeZone))}: {s.LastActivities[0].Notes}")}" +
            $"\nNext follow-up: {(next is null ? "none" : $"{next.title} ({next.due})")}";
        context.ReplyCard(CardNames.ContactSummary, new
        {
            contactId = c.Id,
            name = c.FullName,
            title = c.Title,
            company = s.Company?.Name,
            email = c.Email,
            phone = c.Phone,
            deals = s.OpenDeals.Select(d => new { id = d.Id, name = d.Name, stage = d.Stage, amount = CardData.Money(d.Amount, d.Currency) }),
            activities = s.LastActivities.Select(a => new
            {
                type = CardData.TypeName(a.Type),
                date = CardData.Iso(CardData.LocalDate(a.OccurredAt, context.TimeZone)),
                notes = a.Notes,
                by = a.LoggedBy?.DisplayName,
            }),
            nextFollowUp = next,
        }, fallback);
    }
}

using System.Text.Json.Nodes;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Import;

namespace CrmBot.Conversations.Features;

/// <summary>"add contact Bob Smith, bob@acme.com, +1 206 555 0100 at Acme": read the details, then the create flow.</summary>
public sealed class ContactCreateFeature(Recognizer recognizer, PhoneNormalizer phones) : BuiltInFeature(recognizer)
{
    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.CreateContact];

    public override IReadOnlyCollection<string> Verbs { get; } = [];

    public override IEnumerable<HelpEntry> Help { get; } =
        [new(NewRecordText.ContactExample, "Add a contact (I check for duplicates first; a new company is added with it)")];

    protected override Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        var read = NewRecordText.Contact(r.Details, phones);
        if (read.Problem is not null)
        {
            context.ReplyText(read.Problem + " Nothing was added.");
            return Task.CompletedTask;
        }
        return context.BeginDialogAsync<ContactCreateDialog>(new ContactCreateState
        {
            FirstName = read.FirstName,
            LastName = read.LastName,
            Email = read.Email,
            Phone = read.Phone,
            PhoneExtension = read.PhoneExtension,
            Title = read.Title,
            Company = read.Company,
        }, ct);
    }

    public override Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;
}

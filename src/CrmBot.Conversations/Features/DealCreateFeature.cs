using System.Text.Json.Nodes;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;

namespace CrmBot.Conversations.Features;

/// <summary>"new deal Acme expansion 25k for Jane Doe, closes end of March": read the details, then the create flow.</summary>
public sealed class DealCreateFeature(Recognizer recognizer) : BuiltInFeature(recognizer)
{
    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.CreateDeal];

    public override IReadOnlyCollection<string> Verbs { get; } = [];

    public override IEnumerable<HelpEntry> Help { get; } =
        [new(NewRecordText.DealExample, "Add a deal (25k, $25,000 or 25000 EUR; I check for duplicates first)")];

    protected override Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        var read = NewRecordText.Deal(r.Details, context.Today);
        if (read.Problem is not null)
        {
            context.ReplyText(read.Problem + " Nothing was added.");
            return Task.CompletedTask;
        }
        return context.BeginDialogAsync<DealCreateDialog>(new DealCreateState
        {
            Name = read.Name,
            Amount = read.Amount,
            Currency = read.Currency,
            ContactText = read.Contact,
            ExpectedClose = read.ExpectedClose,
        }, ct);
    }

    public override Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;
}

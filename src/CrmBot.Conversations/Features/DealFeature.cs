using System.Globalization;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

/// <summary>Deals: the deal card with its stage picker, stage moves, "my deals".</summary>
public sealed class DealFeature(Recognizer recognizer, DealService deals) : BuiltInFeature(recognizer)
{
    /// <summary>Data: dealId.</summary>
    public const string ShowVerb = "deal.show";
    /// <summary>The deal card's stage picker: dealId, inputs stage and reason.</summary>
    public const string StageVerb = "deal.stage";
    public const string ListVerb = "deals.show";
    private const int MaxHistory = 10;

    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.DealStage, Intent.MyDeals];

    public override IReadOnlyCollection<string> Verbs { get; } = [ShowVerb, StageVerb, ListVerb];

    public override IEnumerable<HelpEntry> Help { get; } =
    [
        new("move Acme renewal to proposal", "Change a deal's stage (won/lost need a reason)"),
        new("deal Acme renewal", "A deal and its stage picker"),
        new("my deals", "Your open deals"),
    ];

    protected override async Task HandleAsync(TurnContext context, Recognition.Recognition r, CancellationToken ct)
    {
        if (r.Intent == Intent.MyDeals)
        {
            await ReplyListAsync(context, ct);
            return;
        }
        await context.BeginDialogAsync<DealStageDialog>(new DealStageState
        {
            DealText = r.Deal,
            Stage = r.Stage ?? r.UnknownStage,
            Reason = r.Reason,
        }, ct);
    }

    public override async Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        if (verb == ListVerb)
        {
            await ReplyListAsync(context, ct);
            return;
        }
        if (IntOf(data, "dealId") is not { } dealId)
        {
            context.ReplyText("That button is missing which deal it is for.");
            return;
        }
        if (verb == ShowVerb)
        {
            await context.BeginDialogAsync<DealStageDialog>(new DealStageState { DealId = dealId }, ct);
            return;
        }
        var stage = StringOf(data, "stage");
        if (stage is null)
        {
            context.Reply(new FieldErrorsReply(new Dictionary<string, string> { ["stage"] = "Pick a stage." }, "Pick a stage first."));
            return;
        }
        var target = deals.FindStage(stage);
        if (target is { IsClosed: true } && StringOf(data, "reason") is null)
        {
            context.Reply(new FieldErrorsReply(new Dictionary<string, string> { ["reason"] = $"Why is it {target.Name.ToLowerInvariant()}?" },
                $"Moving to {target.Name} needs a reason."));
            return;
        }
        await context.BeginDialogAsync<DealStageDialog>(new DealStageState { DealId = dealId, Stage = stage, Reason = StringOf(data, "reason") }, ct);
    }

    private async Task ReplyListAsync(TurnContext context, CancellationToken ct)
    {
        var open = await deals.OpenDealsAsync(context.Member.Id, ct);
        var fallback = open.Count == 0 ? "You have no open deals."
            : "Your open deals:\n" + string.Join("\n", open.Select(d => $"• {d.Name} — {d.Stage}, {CardData.Money(d.Amount, d.Currency)}"));
        context.ReplyCard(CardNames.Deals, new
        {
            deals = open.Select(d => new { id = d.Id, name = d.Name, stage = d.Stage, amount = CardData.Money(d.Amount, d.Currency), company = d.Company?.Name }),
        }, fallback);
    }

    /// <summary>
    /// The deal card: facts, the stage history (when loaded: <see cref="DealService.WithHistoryAsync"/>), and a stage
    /// picker listing each stage's exit criterion.
    /// </summary>
    public static void ReplyDeal(TurnContext context, Deal deal, IReadOnlyList<PipelineStage> pipeline, string? notice = null,
        IReadOnlyList<Activity>? activities = null)
    {
        // One line each, like the history: a deal card carries a form, and Slack shows it as a modal of few blocks.
        var logged = (activities ?? []).Select(a =>
            $"{CardData.LocalDate(a.OccurredAt, context.TimeZone).ToString("d MMM", CultureInfo.InvariantCulture)} · {CardData.TypeName(a.Type)}" +
            (a.Contact is null ? "" : $" with {a.Contact.FullName}") + (a.LoggedBy is null ? "" : $" by {a.LoggedBy.DisplayName}") +
            (a.Notes.Length == 0 ? "" : $": {a.Notes}")).ToList();
        var current = pipeline.FirstOrDefault(s => s.Name == deal.Stage);
        // The latest moves only: a deal pushed back and forth for a year would crowd out the stage picker.
        var history = deal.StageHistory.TakeLast(MaxHistory).Select(h =>
            $"{CardData.LocalDate(h.ChangedAt, context.TimeZone).ToString("d MMM yyyy", CultureInfo.InvariantCulture)} · " +
            (h.FromStage is null ? $"Created in {h.ToStage}" : $"{h.FromStage} → {h.ToStage}") +
            (h.ChangedBy is null ? "" : $" by {h.ChangedBy.DisplayName}") +
            (h.Reason is null ? "" : $" ({h.Reason})")).ToList();
        var fallback = (notice is null ? "" : notice + "\n") + $"{deal.Name}: {deal.Stage}, {CardData.Money(deal.Amount, deal.Currency)}" +
            (current?.ExitCriterion is { } exit ? $"\nTo move on: {exit}" : "") +
            (history.Count == 0 ? "" : "\nHistory:\n" + string.Join("\n", history)) +
            (logged.Count == 0 ? "" : "\nActivities:\n" + string.Join("\n", logged)) +
            "\nStages: " + string.Join(", ", pipeline.Select(s => s.Name));
        context.ReplyCard(CardNames.Deal, new
        {
            notice,
            dealId = deal.Id,
            name = deal.Name,
            stage = deal.Stage,
            exitCriterion = current?.ExitCriterion,
            amount = CardData.Money(deal.Amount, deal.Currency),
            company = deal.Company?.Name,
            contact = deal.Contact?.FullName,
            expectedClose = deal.ExpectedClose is { } d ? CardData.Iso(d) : null,
            history,
            activities = logged,
            stages = pipeline.Select(s => new
            {
                name = s.Name,
                label = s.ExitCriterion is null ? s.Name : $"{s.Name} — exit: {s.ExitCriterion}",
                exitCriterion = s.ExitCriterion,
                closed = s.IsClosed,
                current = s.Name == deal.Stage,
            }),
        }, fallback);
    }
}

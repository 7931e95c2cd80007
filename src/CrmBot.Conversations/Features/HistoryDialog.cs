using System.Globalization;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

public sealed class HistoryState
{
    /// <summary>The deal or contact name as typed.</summary>
    public string? Text { get; set; }
    /// <summary>How often a name was looked up; a typed name instead of a pick is looked up once more, no more.</summary>
    public int Searches { get; set; }
}

/// <summary>
/// Which deal or contact "history …" means (deals and contacts searched together; a picker when the name fits
/// more than one), then its history card. Steps: 0 search · 1 picked.
/// </summary>
public sealed class HistoryDialog(CrmSearch search, CrmDbContext db) : WaterfallDialog<HistoryState>
{
    public const string DialogName = "history";
    private const char Separator = ':';

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<HistoryState>> Steps => [SearchAsync, PickedAsync];

    private sealed record Candidate(string EntityType, int Id, string Label, string Detail)
    {
        public string Value => EntityType + Separator + Id.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<StepResult> SearchAsync(StepContext<HistoryState> step, CancellationToken ct)
    {
        var s = step.State;
        var query = s.Text ?? "";
        s.Searches++;
        var deals = await search.FindDealsAsync(query, 5, ct);
        var contacts = await search.FindContactsAsync(query, 5, ct);
        // Best first; on a tie the deal, as in "history Acme renewal" the deal is what was meant.
        var matches = deals.Select(m => new Match<Candidate>(new(nameof(Deal), m.Item.Id, m.Item.Name, $"deal, {m.Item.Stage}"), m.Score))
            .Concat(contacts.Select(m => new Match<Candidate>(
                new(nameof(Contact), m.Item.Id, m.Item.FullName, m.Item.Company is { } company ? $"contact at {company.Name}" : "contact"), m.Score)))
            .OrderByDescending(m => m.Score).ToList();
        var pick = Picking.Decide(matches);
        switch (pick.Kind)
        {
            case PickKind.Clear:
                await HistoryFeature.ReplyAsync(step.Context, db, pick.Item!.EntityType, pick.Item.Id, ct);
                return step.End();
            case PickKind.None:
                step.Context.ReplyText($"I couldn't find a deal or contact called \"{query}\".");
                return step.End();
            default:
                var options = pick.Candidates.Select(m => (m.Item.Value, m.Item.Label, (string?)m.Item.Detail)).ToList();
                var question = pick.Kind == PickKind.Ambiguous ? $"Whose history: which \"{query}\"?" : $"I couldn't find \"{query}\". Did you mean…";
                return step.Ask(Picking.Prompt(question, options, offerNone: pick.Kind == PickKind.DidYouMean, PromptExpect.Name, "which deal or contact"));
        }
    }

    private async Task<StepResult> PickedAsync(StepContext<HistoryState> step, CancellationToken ct)
    {
        if (step.Answer is { Choice: { } choice } && choice.Split(Separator) is [var type and (nameof(Deal) or nameof(Contact)), var idText]
            && int.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            await HistoryFeature.ReplyAsync(step.Context, db, type, id, ct);
            return step.End();
        }
        if (step.Answer is { Choice: null, Text.Length: > 0 } typed && step.State.Searches < 2)
        {
            step.State.Text = typed.Text;
            return step.GoTo(0);
        }
        step.Context.ReplyText("Okay, no history shown.");
        return step.End();
    }
}

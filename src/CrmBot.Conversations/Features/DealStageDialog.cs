using System.Globalization;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Conversations.Features;

public sealed class DealStageState
{
    public string? DealText { get; set; }
    public int? DealId { get; set; }
    /// <summary>Null: show the deal card (its stage picker) instead of moving.</summary>
    public string? Stage { get; set; }
    public string? Reason { get; set; }
    /// <summary>How often a deal name was looked up; the question is asked at most twice.</summary>
    public int Searches { get; set; }
}

/// <summary>
/// Which deal (picker when ambiguous, "did you mean" when nothing fits), then move it — asking why
/// when it closes — or show its card. Steps: 0 ask deal · 1 search · 2 picked · 3 move · 4 reason given.
/// </summary>
public sealed class DealStageDialog(CrmSearch search, DealService deals, CrmDbContext db) : WaterfallDialog<DealStageState>
{
    public const string DialogName = "deal-stage";
    private const int AskDeal = 0, Move = 3;

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<DealStageState>> Steps => [AskDealAsync, SearchAsync, PickedAsync, MoveAsync, ReasonAsync];

    private static Task<StepResult> AskDealAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        if (step.State.DealId is not null) return Task.FromResult(step.GoTo(Move));
        if (step.State.DealText is not null) return Task.FromResult(step.Next());
        return Task.FromResult(step.Ask(Prompt.ForName("Which deal?", "which deal")));
    }

    private async Task<StepResult> SearchAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        var s = step.State;
        if (step.Answer is { } answer) s.DealText = answer.Text;
        var query = s.DealText ?? "";
        s.Searches++;
        var pick = Picking.Decide(await search.FindDealsAsync(query, 5, ct));
        switch (pick.Kind)
        {
            case PickKind.Clear:
                s.DealId = pick.Item!.Id;
                return step.GoTo(Move);
            case PickKind.None when s.Searches >= 2:
                step.Context.ReplyText($"I couldn't find a deal called \"{query}\" either, so I've stopped; nothing was changed. Say \"my deals\" to see yours.");
                return step.End();
            case PickKind.None:
                s.DealText = null;
                step.Context.ReplyText($"I couldn't find a deal called \"{query}\". Say \"my deals\" to see yours.");
                return step.GoTo(AskDeal);
            default:
                var options = pick.Candidates.Select(m => (m.Item.Id.ToString(CultureInfo.InvariantCulture), m.Item.Name, (string?)m.Item.Stage)).ToList();
                var question = pick.Kind == PickKind.Ambiguous ? $"Which \"{query}\" deal do you mean?" : $"I couldn't find \"{query}\". Did you mean…";
                return step.Ask(Picking.Prompt(question, options, offerNone: pick.Kind == PickKind.DidYouMean, PromptExpect.Name, "which deal"));
        }
    }

    private static Task<StepResult> PickedAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        if (step.Answer is { Choice: null, Text.Length: > 0 } typed)
        {
            // A deal name typed instead of a pick: look it up.
            step.State.DealText = typed.Text;
            return Task.FromResult(step.GoTo(AskDeal + 1));
        }
        if (int.TryParse(step.Answer?.Choice, CultureInfo.InvariantCulture, out var id))
        {
            step.State.DealId = id;
            return Task.FromResult(step.Next());
        }
        step.State.DealText = null;
        return Task.FromResult(step.GoTo(AskDeal));
    }

    private async Task<StepResult> MoveAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        var s = step.State;
        var context = step.Context;
        if (s.Stage is null)
        {
            var deal = await db.Deals.Include(d => d.Company).Include(d => d.Contact).FirstOrDefaultAsync(d => d.Id == s.DealId, ct);
            if (deal is null) context.ReplyText("That deal no longer exists.");
            else DealFeature.ReplyDeal(context, deal, deals.Pipeline);
            return step.End();
        }
        var move = await deals.MoveAsync(s.DealId!.Value, s.Stage, s.Reason, context.Actor, ct);
        switch (move.Status)
        {
            case StageMoveStatus.Moved:
                var stage = deals.Pipeline.FirstOrDefault(p => p.Name == move.Deal!.Stage);
                context.ReplyCard(CardNames.DealStageChanged, new
                {
                    dealId = move.Deal!.Id,
                    name = move.Deal.Name,
                    from = move.FromStage,
                    to = move.Deal.Stage,
                    reason = s.Reason,
                    exitCriterion = stage?.ExitCriterion,
                    won = stage?.IsWon == true,
                    closed = stage?.IsClosed == true,
                    by = context.Member.DisplayName,
                }, $"{move.Deal.Name}: {move.FromStage} → {move.Deal.Stage}" + (s.Reason is null ? "" : $" ({s.Reason})"));
                return step.End();
            case StageMoveStatus.Unchanged:
                context.ReplyText($"{move.Deal!.Name} is already in {move.Deal.Stage}.");
                return step.End();
            case StageMoveStatus.NeedsReason:
                var target = deals.FindStage(s.Stage)!;
                return step.Ask(Prompt.ForFreeText($"Why is {move.Deal!.Name} {target.Name.ToLowerInvariant()}? (one line; it's kept with the deal)",
                    $"the reason {move.Deal.Name} is {target.Name.ToLowerInvariant()}"));
            case StageMoveStatus.UnknownStage:
                DealFeature.ReplyDeal(context, move.Deal!, move.ValidStages,
                    $"\"{s.Stage}\" isn't a stage. Pick one: {string.Join(", ", move.ValidStages.Select(v => v.Name))}.");
                return step.End();
            default:
                context.ReplyText("That deal no longer exists.");
                return step.End();
        }
    }

    private static Task<StepResult> ReasonAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        step.State.Reason = step.Answer?.Text;
        return Task.FromResult(step.GoTo(Move));
    }
}

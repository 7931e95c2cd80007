using System.Globalization;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm;
using CrmBot.Crm.Services;

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
    /// <summary>The user said yes to a move that skips stages or reopens the deal.</summary>
    public bool JumpConfirmed { get; set; }
}

/// <summary>
/// Which deal (picker when ambiguous, "did you mean" when nothing fits), then move it — asking to confirm a
/// move that skips stages (listing their exit criteria) or reopens a closed deal, and why when it closes — or
/// show its card. Steps: 0 ask deal · 1 search · 2 picked · 3 check jump · 4 jump answered · 5 move · 6 reason given.
/// </summary>
public sealed class DealStageDialog(CrmSearch search, DealService deals, CrmDbContext db) : WaterfallDialog<DealStageState>
{
    public const string DialogName = "deal-stage";
    private const int AskDeal = 0, CheckJump = 3, Move = 5;
    /// <summary>The deal card lists this many of its latest activities.</summary>
    private const int MaxActivities = 5;

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<DealStageState>> Steps => [AskDealAsync, SearchAsync, PickedAsync, CheckJumpAsync, JumpAnsweredAsync, MoveAsync, ReasonAsync];

    private static Task<StepResult> AskDealAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        if (step.State.DealId is not null) return Task.FromResult(step.GoTo(CheckJump));
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
                return step.GoTo(CheckJump);
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

    private async Task<StepResult> CheckJumpAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.Stage is null || s.JumpConfirmed) return step.GoTo(Move);
        var deal = await db.Deals.FindAsync([s.DealId!.Value], ct);
        // An unknown deal or stage is for the move to answer.
        if (deal is null || deals.FindStage(s.Stage) is not { } target || deals.Jump(deal.Stage, target) is not { NeedsConfirmation: true } jump)
            return step.GoTo(Move);
        if (jump.Reopens)
        {
            var why = deal.CloseReason is null ? "" : $" ({deal.CloseReason})";
            return step.Ask(Asking.Confirm($"{deal.Name} is closed: {jump.From.Name}{why}.", [],
                $"Reopen it in {target.Name}?", $"Reopen in {target.Name}", $"Leave it {jump.From.Name.ToLowerInvariant()}"));
        }
        var lines = jump.Skipped.Select(p => p.ExitCriterion is null ? $"{p.Name}" : $"{p.Name}: {p.ExitCriterion}").ToList();
        var count = jump.Skipped.Count == 1 ? "a stage" : $"{jump.Skipped.Count} stages";
        return step.Ask(Asking.Confirm($"{deal.Name}: {jump.From.Name} → {target.Name} skips {count} and their exit criteria:", lines,
            $"Move it to {target.Name} anyway?", $"Move to {target.Name}", $"Keep in {jump.From.Name}"));
    }

    private async Task<StepResult> JumpAnsweredAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        if (step.Answer?.Confirmed == true)
        {
            step.State.JumpConfirmed = true;
            return step.Next();
        }
        var deal = await db.Deals.FindAsync([step.State.DealId!.Value], ct);
        step.Context.ReplyText(deal is null ? "Okay, nothing changed." : $"Okay, {deal.Name} stays in {deal.Stage}. Nothing changed.");
        return step.End();
    }

    private async Task<StepResult> MoveAsync(StepContext<DealStageState> step, CancellationToken ct)
    {
        var s = step.State;
        var context = step.Context;
        if (s.Stage is null)
        {
            var deal = await deals.WithHistoryAsync(s.DealId!.Value, ct);
            if (deal is null) context.ReplyText("That deal no longer exists.");
            else DealFeature.ReplyDeal(context, deal, deals.Pipeline, activities: await deals.RecentActivitiesAsync(deal.Id, MaxActivities, ct));
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
                DealFeature.ReplyDeal(context, await deals.WithHistoryAsync(move.Deal!.Id, ct) ?? move.Deal!, move.ValidStages,
                    $"\"{s.Stage}\" isn't a stage. Pick one: {string.Join(", ", move.ValidStages.Select(v => v.Name))}.");
                return step.End();
            case StageMoveStatus.Refused:
                context.ReplyText(move.Refusal!);
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

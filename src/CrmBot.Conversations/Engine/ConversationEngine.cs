using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Conversations.Features;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Diagnostics;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CrmBot.Conversations.Engine;

/// <summary>
/// One turn in, replies out: resolve the member, load their flow, then in order — "cancel" leaves
/// any flow; a card verb goes to the feature that owns it; an open question takes the message as
/// its answer; otherwise the features bid for the message and the best claim answers it; nothing
/// claimed gets the help card. Scoped: one engine per turn, over that turn's DbContext.
/// </summary>
public sealed class ConversationEngine(
    CrmDbContext db,
    MemberService members,
    IEnumerable<IChatFeature> features,
    IEnumerable<Dialog> dialogs,
    CardTemplates cards,
    TimeProvider clock,
    ILogger<ConversationEngine> logger) : IBot
{
    /// <summary>A flow left alone this long starts fresh.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    private static readonly HashSet<string> CancelPhrases =
        ["cancel", "never mind", "nevermind", "nvm", "stop", "quit", "exit", "abort", "forget it", "cancel that", "start over"];

    private readonly IReadOnlyList<IChatFeature> _features = features.ToList();

    // Untracked until SaveAsync changes it.
    private Task<DialogState?> StoredFlowAsync(string conversationId, int memberId, CancellationToken ct) =>
        DialogStates.FindAsync(db, conversationId, memberId, ct);

    public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
    {
        TurnContext? context = null;
        try
        {
            // Open for the whole turn: EF would otherwise open and close the connection around every statement,
            // ten or more per turn (finding 19). An open SQLite connection holds no lock between statements.
            await db.Database.OpenConnectionAsync(cancellationToken);
            Member member;
            using (CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Read, "member"))
                member = await members.ResolveAsync(new MemberIdentity(turn.From.Channel, turn.From.TenantId, turn.From.UserId,
                    turn.From.DisplayName, turn.From.TimeZone, turn.From.Email, turn.From.AadObjectId, turn.From.Locale), cancellationToken);
            DialogState? stored;
            using (CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Read, "flow"))
                stored = await StoredFlowAsync(turn.ConversationId, member.Id, cancellationToken);
            var flows = new DialogFlows(dialogs) { Active = Load(turn, stored) };
            context = new TurnContext(turn, member, clock, cards, flows);

            await DispatchAsync(context, flows, cancellationToken);

            await SaveAsync(turn, member, stored, flows.Active, cancellationToken);
            return context.Replies;
        }
        catch (CrmException ex)
        {
            // The CRM refused before writing anything (unknown contact, date in the past): say why.
            db.ChangeTracker.Clear();
            return [new TextReply(ex.Message)];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever this turn half-did stays unsaved; the stored flow is as the turn found it.
            db.ChangeTracker.Clear();
            logger.TurnFailed(ex, turn.TurnId, turn.From.Channel);
            return [Apology(turn)];
        }
    }

    private async Task DispatchAsync(TurnContext context, DialogFlows flows, CancellationToken ct)
    {
        var turn = context.Turn;
        var text = turn.Text?.Trim() ?? "";
        var verb = turn.Verb;

        if (verb is null && IsCancel(text))
        {
            if (flows.Active is null) context.ReplyText("There's nothing to cancel. Type \"help\" to see what I can do.");
            else context.ReplyText("Okay, I've stopped that.");
            flows.End();
            return;
        }

        if (verb is not null)
        {
            await OnVerbAsync(context, flows, verb, turn.Value!, ct);
            return;
        }

        var utterance = new Utterance(text, context.Today, context.Member.DateOrder);
        if (flows.Active is { Prompt: not null } active && await OnOpenQuestionAsync(context, flows, active, utterance, ct)) return;
        await OnMessageAsync(context, utterance, ct);
    }

    private async Task OnMessageAsync(TurnContext context, Utterance utterance, CancellationToken ct)
    {
        if (utterance.Words.Count == 0)
        {
            // An empty message, "?" or an emoji: show what's possible, without "I didn't understand".
            HelpFeature.ReplyHelp(context, _features, greeting: null);
            return;
        }

        var best = BestClaim(utterance);
        if (best is null)
        {
            HelpFeature.ReplyHelp(context, _features, $"Sorry, I didn't understand \"{Shorten(utterance.Text)}\". Here's what I can do:");
            return;
        }
        await best.Value.Feature.HandleAsync(context, best.Value.Claim, ct);
    }

    /// <summary>
    /// A typed message while a question is open. Only what fits the question answers it: a clear command (or a
    /// new intent) leaves the question and runs as itself; free text that only reads like a command is held and
    /// confirmed; anything else is asked again once, then the question is left. True when the turn is answered;
    /// false when the question was left and the message is to be handled as a new one.
    /// </summary>
    private async Task<bool> OnOpenQuestionAsync(TurnContext context, DialogFlows flows, ActiveDialog active, Utterance utterance, CancellationToken ct)
    {
        if (active.Held is not null)
        {
            if (await ResolveHeldAsync(context, flows, active, Prompts.YesOrNo(utterance.Text), ct)) return true;
            // Neither yes nor no: read the message afresh against the question the held text was for.
            Unhold(active);
        }
        var prompt = active.Prompt!;
        if (prompt.Kind != PromptKind.Text && Prompts.TryAnswer(prompt, context.Turn, context.Today, context.Member.DateOrder) is { } fits)
        {
            await flows.ContinueAsync(context, fits, ct);
            return true;
        }
        var claim = BestClaim(utterance);
        // Notes and reasons are free text, and "called about pricing" is fair notes: only a command said outright
        // ("log …", "follow-ups", "help") leaves such a question; a looser phrasing is confirmed instead.
        var clear = prompt.Expect == PromptExpect.FreeText ? 1.0 : 0.9;
        if (claim is { Claim.Confidence: var confidence } && confidence >= clear)
        {
            context.ReplyText($"Left the question about {Prompts.Subject(prompt)}.");
            flows.End();
            return false;
        }
        // A bare number is more likely a button of an earlier card than the notes: confirmed too.
        if (prompt.Expect == PromptExpect.FreeText && (claim is not null || IsBareNumber(utterance)))
        {
            Hold(context, active, prompt, utterance.Text);
            return true;
        }
        // A name question takes a name even when it also offers buttons ("Did you mean…": type another name instead).
        var takesText = prompt.Expect == PromptExpect.Name ? Prompts.CanBeName(utterance) : prompt.Kind == PromptKind.Text;
        if (takesText && utterance.Text.Length > 0)
        {
            await flows.ContinueAsync(context, new PromptAnswer(utterance.Text), ct);
            return true;
        }
        if (++active.Misses >= 2)
        {
            context.ReplyText($"I still couldn't read that as an answer, so I left the question about {Prompts.Subject(prompt)}; nothing was saved. " +
                              "Type \"help\" to see what I can do.");
            flows.End();
            return true;
        }
        context.ReplyText(prompt.Expect == PromptExpect.Name
            ? $"That doesn't look like a name. {prompt.Text} (Say \"cancel\" to stop.)"
            : Prompts.Retry(prompt));
        return true;
    }

    /// <summary>The choice values of the held-answer question's buttons.</summary>
    private const string KeepHeld = "keep", RunHeld = "run";

    private static void Hold(TurnContext context, ActiveDialog active, Prompt prompt, string text)
    {
        var subject = prompt.Subject ?? "the answer";
        var question = $"Save \"{Shorten(text)}\" as {subject}? It reads like a command too: say yes to save it, or no to run it as a command.";
        active.Held = text;
        active.HeldFor = prompt;
        active.Prompt = Picking.Prompt(question, [], offerNone: false, extras: [(KeepHeld, $"Yes, save it as {subject}"), (RunHeld, "No, run it as a command")]);
        context.SendPrompt(active.Prompt, active.Flow);
    }

    private static void Unhold(ActiveDialog active)
    {
        active.Prompt = active.HeldFor;
        active.Held = null;
        active.HeldFor = null;
    }

    /// <summary>Yes: the held text answers its question. No: the question is left and the text runs as a message.</summary>
    private async Task<bool> ResolveHeldAsync(TurnContext context, DialogFlows flows, ActiveDialog active, bool? keep, CancellationToken ct)
    {
        if (keep is null) return false;
        var held = active.Held!;
        Unhold(active);
        if (keep.Value)
        {
            await flows.ContinueAsync(context, new PromptAnswer(held), ct);
        }
        else
        {
            flows.End();
            await OnMessageAsync(context, new Utterance(held, context.Today, context.Member.DateOrder), ct);
        }
        return true;
    }

    private async Task OnVerbAsync(TurnContext context, DialogFlows flows, string verb, JsonObject data, CancellationToken ct)
    {
        if (verb == Prompts.AnswerVerb)
        {
            var flow = data["flow"]?.ToString();
            if (flows.Active is { Held: not null } holding && (flow is null || flow == holding.Flow)
                && await ResolveHeldAsync(context, flows, holding, data["choice"]?.ToString() switch { KeepHeld => true, RunHeld => false, _ => null }, ct))
                return;
            if (flows.Active?.Prompt is { } prompt && (flow is null || flow == flows.Active.Flow)
                && Prompts.TryAnswer(prompt, context.Turn, context.Today, context.Member.DateOrder) is { } answer)
            {
                await flows.ContinueAsync(context, answer, ct);
            }
            else
            {
                context.ReplyText("That question isn't open any more, so I left it alone. Just tell me what you'd like to do.");
            }
            return;
        }

        var feature = _features.FirstOrDefault(f => f.Verbs.Contains(verb));
        if (feature is null)
        {
            logger.UnknownVerb(context.Turn.TurnId, verb);
            HelpFeature.ReplyHelp(context, _features, "That button doesn't do anything any more. Here's what I can do:");
            return;
        }
        await feature.HandleVerbAsync(context, verb, data, ct);
    }

    private (IChatFeature Feature, FeatureClaim Claim)? BestClaim(Utterance utterance)
    {
        if (utterance.Words.Count == 0) return null;
        using var _ = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Recognize);
        (IChatFeature Feature, FeatureClaim Claim)? best = null;
        foreach (var feature in _features)
        {
            if (feature.Claim(utterance) is { } claim && (best is null || claim.Confidence > best.Value.Claim.Confidence))
                best = (feature, claim);
        }
        return best;
    }

    private ActiveDialog? Load(Turn turn, DialogState? stored)
    {
        if (stored is null) return null;
        if (clock.GetUtcNow().UtcDateTime - stored.UpdatedAt > IdleTimeout)
        {
            logger.FlowExpired(turn.TurnId, stored.DialogName, stored.UpdatedAt);
            return null;
        }
        return ActiveDialog.FromJson(stored.StateJson);
    }

    private async Task SaveAsync(Turn turn, Member member, DialogState? stored, ActiveDialog? after, CancellationToken ct)
    {
        if (after is null && stored is null) return;
        if (after is null)
        {
            db.DialogStates.Remove(stored!);
        }
        else if (stored is null)
        {
            db.DialogStates.Add(new DialogState
            {
                ConversationId = turn.ConversationId, MemberId = member.Id, DialogName = after.Name,
                StateJson = after.ToJson(), UpdatedAt = clock.GetUtcNow().UtcDateTime, Version = 1,
            });
        }
        else
        {
            // Saved even when untouched: any turn in the conversation restarts the idle clock. Tracked first, so
            // that its version as read is the one the UPDATE checks.
            stored = RowReads.Track(db, stored);
            stored.DialogName = after.Name;
            stored.StateJson = after.ToJson();
            stored.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            stored.Version++;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<DialogState>().Any())
        {
            // Another instance moved this flow on (or started one) between our read and write: theirs stands.
            db.ChangeTracker.Clear();
            logger.FlowConflict(turn.TurnId, turn.ConversationId);
        }
    }

    private Reply Apology(Turn turn)
    {
        const string title = "Sorry, something went wrong on my side.";
        const string message = "I couldn't do that. Please try again in a moment; anything you were in the middle of is still where you left it.";
        try
        {
            return new CardReply(CardNames.Error, cards.Bind(CardNames.Error, new { title, message, reference = $"turn {turn.TurnId}" }), $"{title} {message}");
        }
        catch (Exception)
        {
            // The apology must not fail too (a broken card file is what went wrong, say).
            return new TextReply($"{title} {message}");
        }
    }

    private static bool IsBareNumber(Utterance utterance) =>
        utterance.Words.Count == 1 && utterance.Words[0].All(char.IsAsciiDigit);

    private static bool IsCancel(string text) => CancelPhrases.Contains(TextFold.Fold(text));

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}

using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Conversations.Features;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CrmBot.Conversations;

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

    // Asked on every turn, so a prepared read (RowReads); untracked until SaveAsync changes it.
    private Task<DialogState?> StoredFlowAsync(string conversationId, int memberId, CancellationToken ct) =>
        RowReads.FirstAsync<DialogState>(db, "\"ConversationId\" = @p0 AND \"MemberId\" = @p1", [conversationId, memberId], ct);

    public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
    {
        TurnContext? context = null;
        try
        {
            // Open for the whole turn: EF would otherwise open and close the connection around every statement
            // (~40 µs each, ten or more per turn). An open SQLite connection holds no lock between statements.
            await db.Database.OpenConnectionAsync(cancellationToken);
            var member = await members.ResolveAsync(new MemberIdentity(turn.From.Channel, turn.From.TenantId, turn.From.UserId,
                turn.From.DisplayName, turn.From.TimeZone, turn.From.Email, turn.From.AadObjectId), cancellationToken);
            var stored = await StoredFlowAsync(turn.ConversationId, member.Id, cancellationToken);
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

        var utterance = new Utterance(text, context.Today);
        if (flows.Active?.Prompt is { } prompt)
        {
            if (Prompts.TryAnswer(prompt, turn, context.Today) is { } answer)
            {
                await flows.ContinueAsync(context, answer, ct);
                return;
            }
            // Not an answer: a clear new command leaves the flow, anything else asks again.
            var claim = BestClaim(utterance);
            if (claim is not { Claim.Confidence: >= 0.9 })
            {
                context.ReplyText(Prompts.Retry(prompt));
                return;
            }
            flows.End();
        }

        if (utterance.Words.Count == 0)
        {
            // An empty message, "?" or an emoji: show what's possible, without "I didn't understand".
            HelpFeature.ReplyHelp(context, _features, greeting: null);
            return;
        }

        var best = BestClaim(utterance);
        if (best is null)
        {
            HelpFeature.ReplyHelp(context, _features, $"Sorry, I didn't understand \"{Shorten(text)}\". Here's what I can do:");
            return;
        }
        await best.Value.Feature.HandleAsync(context, best.Value.Claim, ct);
    }

    private async Task OnVerbAsync(TurnContext context, DialogFlows flows, string verb, JsonObject data, CancellationToken ct)
    {
        if (verb == Prompts.AnswerVerb)
        {
            var flow = data["flow"]?.ToString();
            if (flows.Active?.Prompt is { } prompt && (flow is null || flow == flows.Active.Flow)
                && Prompts.TryAnswer(prompt, context.Turn, context.Today) is { } answer)
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

    private static bool IsCancel(string text) => CancelPhrases.Contains(TextFold.Fold(text));

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}

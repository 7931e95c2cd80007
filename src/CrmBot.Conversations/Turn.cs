using System.Text.Json.Nodes;

namespace CrmBot.Conversations;

public enum ConversationKind { Personal = 0, Group = 1, Channel = 2 }

/// <summary>Who sent a turn, as the channel knows them.</summary>
/// <param name="Channel">"msteams", "slack" or "terminal".</param>
/// <param name="TenantId">AAD tenant (Teams) or workspace id (Slack).</param>
/// <param name="UserId">The channel's user id.</param>
/// <param name="TimeZone">IANA zone, when the channel tells us (Teams localTimezone, Slack users.info).</param>
/// <param name="Locale">The client's locale ("en-US", "de-DE"), when the channel tells us (Teams locale): how the member writes dates.</param>
public sealed record ChatUser(
    string Channel,
    string TenantId,
    string UserId,
    string? DisplayName = null,
    string? TimeZone = null,
    string? Email = null,
    string? AadObjectId = null,
    string? Locale = null);

/// <summary>
/// One inbound message or card action in one channel-neutral shape (the SDKs' TurnContext.Activity,
/// minus the wire details). Channel adapters build it; the engine never sees Teams or Slack JSON.
/// </summary>
/// <param name="TurnId">Unique per delivery (activity id, event id); logged with errors.</param>
/// <param name="Text">What was typed, with any @mention of the bot removed.</param>
/// <param name="Value">Card submit data (Action.Submit data merged with inputs, Action.Execute data,
/// Slack button value / view state). Carries <c>verb</c>.</param>
/// <param name="ReplyToId">The message a card action came from, so a reply can replace it.</param>
/// <param name="MessageLink">Link to the chat message, stored with a logged activity.</param>
/// <param name="Via">The channel the turn really came through when that is not the member's own (the terminal's
/// `chat --as` speaking as a Teams member); null: <c>From.Channel</c>. What the audit trail records.</param>
public sealed record Turn(
    string TurnId,
    ChatUser From,
    string ConversationId,
    ConversationKind Kind,
    string? Text,
    JsonObject? Value = null,
    string? ReplyToId = null,
    string? MessageLink = null,
    string? Via = null)
{
    /// <summary>The card verb of a card action, or null for a typed message.</summary>
    public string? Verb => Value?["verb"] is JsonValue v && v.TryGetValue<string>(out var verb) && verb.Length > 0 ? verb : null;
}

/// <summary>What the bot answers with. A turn answers with zero or more replies, in order.</summary>
public abstract record Reply;

/// <summary>Plain text (Markdown-light; channels translate bold and links).</summary>
public sealed record TextReply(string Text) : Reply;

/// <summary>
/// A bound Adaptive Card 1.5. <paramref name="ReplacesSource"/> asks the channel to update the card
/// the action came from in place (Teams PUT / invoke response, Slack chat.update) rather than post anew.
/// A card that holds inputs is a form: Slack shows it as a modal.
/// </summary>
public sealed record CardReply(string CardName, JsonObject Card, string FallbackText, bool ReplacesSource = false) : Reply;

/// <summary>
/// A form submit that failed validation: per input id, what is wrong. Slack answers a modal
/// submission with it (response_action: errors); other channels show <paramref name="Message"/>.
/// </summary>
public sealed record FieldErrorsReply(IReadOnlyDictionary<string, string> Errors, string Message) : Reply;

/// <summary>The conversation engine, as the SDKs' IBot: one turn in, replies out.</summary>
public interface IBot
{
    Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken);
}

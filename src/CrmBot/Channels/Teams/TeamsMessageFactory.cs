using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm.Diagnostics;

namespace CrmBot.Channels.Teams;

/// <summary>
/// Outbound: the engine's replies as Bot Framework message activities (the SDK's MessageFactory).
/// Shared with the proactive sender, so a card looks the same pushed or answered.
/// </summary>
public static class TeamsMessageFactory
{
    public static BotActivity Text(string text) => new()
    {
        Type = ActivityTypes.Message,
        Text = text,
        TextFormat = "markdown",
    };

    /// <summary>An Adaptive Card attachment; the fallback text shows in notifications and the chat list.</summary>
    public static BotActivity Card(JsonObject card, string? fallbackText)
    {
        using var _ = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Render, "teams");
        return new()
        {
            Type = ActivityTypes.Message,
            Summary = fallbackText,
            Attachments = [new Attachment { ContentType = Attachment.AdaptiveCardContentType, Content = card.DeepClone() }],
        };
    }

    public static BotActivity FromReply(Reply reply) => reply switch
    {
        TextReply t => Text(t.Text),
        CardReply c => Card(c.Card, c.FallbackText),
        // Teams validates required inputs on the client; what is left (a bad date) is said in words.
        FieldErrorsReply f => Text(f.Errors.Count == 0 ? f.Message : f.Message + "\n\n" + string.Join("\n", f.Errors.Values.Select(e => "- " + e))),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply.GetType().Name, "unknown reply type"),
    };

    /// <summary>The SDK's ApplyConversationReference: addresses an outgoing activity from the bot to the conversation.</summary>
    public static BotActivity Address(BotActivity activity, ConversationReference reference, bool isIncoming = false)
    {
        activity.ChannelId = reference.ChannelId;
        activity.ServiceUrl = reference.ServiceUrl;
        activity.Conversation = reference.Conversation;
        activity.From = isIncoming ? reference.User : reference.Bot;
        activity.Recipient = isIncoming ? reference.Bot : reference.User;
        activity.Locale ??= reference.Locale;
        return activity;
    }
}

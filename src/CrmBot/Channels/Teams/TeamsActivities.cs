using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm.ChatState;

namespace CrmBot.Channels.Teams;

/// <summary>Inbound: a Teams activity as the engine's channel-neutral <see cref="Turn"/>.</summary>
public static class TeamsActivities
{
    public const string AdaptiveCardActionInvoke = "adaptiveCard/action";

    /// <summary>
    /// The activity in a request body, read and checked once at the edge: null with the reason when the body is not
    /// valid UTF-8 JSON, repeats a key, holds a lone surrogate, or gives a field the code reads the wrong shape.
    /// Everything past this point may trust those fields.
    /// </summary>
    public static BotActivity? Read(byte[] body, out string? malformed)
    {
        malformed = null;
        if (JsonText.Unreadable(body) is { } unreadable) return Fail(unreadable, out malformed);
        BotActivity? activity;
        try
        {
            activity = JsonSerializer.Deserialize<BotActivity>(body, BotJson.Options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return Fail("Malformed activity JSON.", out malformed);
        }
        malformed = activity is null ? null : Shape(activity);
        return malformed is null ? activity : null;
    }

    private static BotActivity? Fail(string reason, out string? malformed)
    {
        malformed = reason;
        return null;
    }

    /// <summary>The fields read below, in the shape they are read in; the reason when one is not.</summary>
    private static string? Shape(BotActivity activity)
    {
        if (activity.ChannelData?["tenant"] is { } tenant
            && (tenant is not JsonObject t || (t["id"] is { } id && !IsString(id))))
            return "channelData.tenant must be an object with a string id.";
        foreach (var entity in activity.Entities ?? [])
        {
            if (entity is null) return "entities items must be objects.";
            if (entity["type"] is { } type && !IsString(type)) return "entities[].type must be a string.";
            if (entity["text"] is { } text && !IsString(text)) return "entities[].text must be a string.";
            if (entity["mentioned"] is { } mentioned && (mentioned is not JsonObject m || (m["id"] is { } mid && !IsString(mid))))
                return "entities[].mentioned must be an object with a string id.";
        }
        if (activity.MembersAdded?.Contains(null!) == true || activity.MembersRemoved?.Contains(null!) == true)
            return "membersAdded and membersRemoved items must be objects.";
        if (activity.Type == ActivityTypes.Invoke && activity.Name == AdaptiveCardActionInvoke
            && (activity.Value is not JsonObject value || (value["action"] is { } action && action is not JsonObject)))
            return "An adaptiveCard/action invoke needs value.action as an object.";
        return null;
    }

    private static bool IsString(JsonNode node) => node.GetValueKind() == JsonValueKind.String;

    public static ChatUser User(BotActivity activity) => new(
        Channel: string.IsNullOrEmpty(activity.ChannelId) ? ChannelIds.Teams : activity.ChannelId,
        TenantId: activity.TenantId ?? "",
        UserId: activity.From?.Id ?? "",
        DisplayName: activity.From?.Name,
        TimeZone: activity.LocalTimezone,
        AadObjectId: activity.From?.AadObjectId,
        Locale: activity.Locale);

    public static ConversationKind Kind(ConversationAccount? conversation) => conversation?.ConversationType switch
    {
        "channel" => ConversationKind.Channel,
        "groupChat" => ConversationKind.Group,
        "personal" => ConversationKind.Personal,
        _ => conversation?.IsGroup == true ? ConversationKind.Group : ConversationKind.Personal,
    };

    /// <summary>A typed message or an Action.Submit (value = action data merged with the card's inputs).</summary>
    public static Turn FromMessage(BotActivity activity) => new(
        TurnId: activity.Id ?? "",
        From: User(activity),
        ConversationId: activity.Conversation!.Id!,
        Kind: Kind(activity.Conversation),
        Text: RemoveBotMention(activity),
        Value: activity.Value is JsonObject value ? (JsonObject)value.DeepClone() : null,
        ReplyToId: activity.ReplyToId,
        MessageLink: MessageLink(activity));

    /// <summary>
    /// An Action.Execute (invoke adaptiveCard/action): value.action{verb, data}. The engine sees the same
    /// shape as a Submit: the data with "verb" in it. Null when the invoke carries no verb.
    /// </summary>
    public static Turn? FromCardAction(BotActivity activity)
    {
        var action = activity.Value?["action"] as JsonObject;
        var verb = action?["verb"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (string.IsNullOrEmpty(verb)) return null;
        var data = action!["data"] is JsonObject d ? (JsonObject)d.DeepClone() : [];
        data["verb"] = verb;
        return new Turn(
            TurnId: activity.Id ?? "",
            From: User(activity),
            ConversationId: activity.Conversation!.Id!,
            Kind: Kind(activity.Conversation),
            Text: null,
            Value: data,
            ReplyToId: activity.ReplyToId);
    }

    /// <summary>True when a conversationUpdate says the bot itself was added (app installed).</summary>
    public static bool IsBotAdded(BotActivity activity) =>
        activity.MembersAdded?.Any(m => m.Id is not null && m.Id == activity.Recipient?.Id) == true;

    /// <summary>
    /// In channels and group chats Teams includes "&lt;at&gt;Bot&lt;/at&gt;" in the text; the mention entity
    /// says exactly which span names the bot, so only that is removed (other people's mentions stay).
    /// </summary>
    public static string? RemoveBotMention(BotActivity activity)
    {
        var text = activity.Text;
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var entity in activity.Entities ?? [])
        {
            if (entity["type"]?.GetValue<string>() != "mention") continue;
            if (entity["mentioned"]?["id"]?.GetValue<string>() != activity.Recipient?.Id) continue;
            var span = entity["text"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(span)) text = text.Replace(span, " ", StringComparison.Ordinal);
        }
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A deep link to the message, stored with what is logged from it.</summary>
    public static string? MessageLink(BotActivity activity)
    {
        var conversationId = activity.Conversation?.Id;
        if (string.IsNullOrEmpty(conversationId) || string.IsNullOrEmpty(activity.Id)) return null;
        var thread = conversationId.Split(';')[0];
        return $"https://teams.microsoft.com/l/message/{Uri.EscapeDataString(thread)}/{Uri.EscapeDataString(activity.Id)}";
    }
}

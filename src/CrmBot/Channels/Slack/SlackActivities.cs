using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm.ChatState;

namespace CrmBot.Channels.Slack;

/// <summary>
/// What one Slack request comes to: the engine's <see cref="Turn"/> (null for work that is no engine turn, such as
/// an "Open form" button or an expired one), where its replies go, and the replies (the engine's, or ready ones).
/// </summary>
internal sealed record SlackInbound(Turn? Turn, SlackDestination Destination, string TurnId, IReadOnlyList<Reply> Replies);

/// <summary>
/// Normalising, the Slack counterpart of Teams' activities (one per turn, scoped, inside the turn's slot): a Slack
/// payload → a <see cref="Turn"/> and the <see cref="SlackDestination"/> its replies go to. It reads the store
/// (parked values, modal metadata) and the user directory, so it runs in the turn's scope. Only translation: what
/// a turn means is the engine's business.
/// </summary>
internal sealed class SlackActivities(SlackCardRenderer cards, SlackUserDirectory users, ILogger<SlackActivities> logger)
{
    /// <summary>What a bare "/crm" stands for: the engine answers "log" with nothing else by the log form.</summary>
    public const string OpenLogFormText = "log";

    private const string Expired = "That button has expired. Ask me again for a fresh card.";

    /// <summary>The request as a turn; null when there is nothing to do (a link button Slack opened itself).</summary>
    public Task<SlackInbound?> ReadAsync(SlackWork work, CancellationToken ct) => work.Kind switch
    {
        SlackWork.Event => FromEventAsync(work.Payload!, ct),
        SlackWork.Command => FromCommandAsync(work.Slash!, ct),
        SlackWork.BlockActions => FromBlockActionsAsync(work.Payload!, ct),
        SlackWork.MessageAction => FromMessageActionAsync(work.Payload!, ct),
        _ => FromViewSubmissionAsync(work.Payload!, ct),
    };

    /// <summary>A retried event never gets here: the endpoint stored the event id before acknowledging it.</summary>
    private async Task<SlackInbound?> FromEventAsync(JsonObject envelope, CancellationToken ct)
    {
        var eventId = S(envelope["event_id"])!;
        var ev = (JsonObject)envelope["event"]!;
        var teamId = S(envelope["team_id"]) ?? S(ev["team"]) ?? "";
        var userId = S(ev["user"])!;
        var channel = S(ev["channel"])!;
        var text = SlackText.FromSlack(SlackText.StripMention(S(ev["text"]) ?? "", BotUserId(envelope)));

        var turn = new Turn(eventId, await UserAsync(teamId, userId, null, ct), channel, KindOf(channel, S(ev["channel_type"])), text);
        return new(turn, new SlackDestination(teamId, userId, channel, ThreadTs: S(ev["thread_ts"])), turn.TurnId, []);
    }

    private async Task<SlackInbound?> FromCommandAsync(SlashCommand command, CancellationToken ct)
    {
        var text = SlackText.FromSlack(command.Text).Trim();
        if (text.Length == 0) text = OpenLogFormText;
        var turn = new Turn($"cmd:{command.TriggerId ?? Guid.NewGuid().ToString("N")}",
            await UserAsync(command.TeamId, command.UserId, command.UserName, ct),
            command.ChannelId, KindOf(command.ChannelId, null), text);
        var dest = new SlackDestination(command.TeamId, command.UserId, command.ChannelId, command.ResponseUrl, command.TriggerId);
        return new(turn, dest, turn.TurnId, []);
    }

    private async Task<SlackInbound?> FromBlockActionsAsync(JsonObject payload, CancellationToken ct)
    {
        if ((payload["actions"] as JsonArray)?.FirstOrDefault() is not JsonObject action) return null;
        var actionId = S(action["action_id"]) ?? "";
        if (actionId == BlockKit.OpenUrlAction) return null;   // Slack opened the link; nothing for us to do

        var teamId = S(payload["team"]?["id"]) ?? S(payload["user"]?["team_id"]) ?? "";
        var userId = S(payload["user"]?["id"])!;
        var container = payload["container"] as JsonObject;
        var trigger = S(payload["trigger_id"]);
        var turnId = trigger ?? S(action["action_ts"]) ?? Guid.NewGuid().ToString("N");

        SlackDestination dest;
        JsonObject? viewInputs = null;
        if (S(container?["type"]) == "view" && payload["view"] is JsonObject view)
        {
            var metadata = await cards.ReadMetadataAsync(S(view["private_metadata"]), ct);
            dest = SlackDestination.FromJson(metadata["ctx"] as JsonObject, teamId, userId) with { TriggerId = trigger };
            viewInputs = BlockKit.ReadInputs(view["state"]?["values"] as JsonObject, metadata);
        }
        else
        {
            var channel = S(container?["channel_id"]) ?? S(payload["channel"]?["id"]);
            var ts = S(container?["message_ts"]) ?? S(payload["message"]?["ts"]);
            dest = new SlackDestination(teamId, userId, channel, S(payload["response_url"]), trigger, ts,
                container?["is_ephemeral"] is JsonValue e && e.TryGetValue<bool>(out var eph) && eph,
                MessageLink: SlackText.MessageLink(S(payload["team"]?["domain"]), channel, ts));
        }

        // Not an engine turn: the parked form goes out as it is.
        if (actionId == BlockKit.OpenCardAction)
        {
            var card = await cards.UnparkAsync(ParseObject(S(action["value"])), ct);
            return card is null || card.ContainsKey("parked")
                ? new(null, dest, turnId, [new TextReply(Expired)])
                : new(null, dest, turnId, [new CardReply("card", card, "Form")]);
        }

        var value = await ActionValueAsync(action, actionId, ct);
        if (value is null)
        {
            Log.ParkedExpired(logger, actionId, S(action["value"]) ?? "");
            return new(null, dest, turnId, [new TextReply(Expired)]);
        }
        if (viewInputs is not null)
            foreach (var (k, v) in viewInputs) value[k] = v?.DeepClone();

        var conversation = dest.ChannelId ?? userId;
        var turn = new Turn(turnId, await UserAsync(teamId, userId, null, ct), conversation, KindOf(conversation, null),
            null, value, dest.SourceTs, dest.MessageLink);
        return new(turn, dest, turnId, []);
    }

    /// <summary>The "Log to CRM" message shortcut: the log form, filled in with the message and its link.</summary>
    private async Task<SlackInbound?> FromMessageActionAsync(JsonObject payload, CancellationToken ct)
    {
        var teamId = S(payload["team"]?["id"]) ?? S(payload["user"]?["team_id"]) ?? "";
        var userId = S(payload["user"]?["id"])!;
        var channel = S(payload["channel"]?["id"]);
        var message = payload["message"] as JsonObject;
        var link = SlackText.MessageLink(S(payload["team"]?["domain"]), channel, S(message?["ts"]));
        var text = SlackText.FromSlack(S(message?["text"]) ?? "");
        var turnId = S(payload["trigger_id"]) ?? Guid.NewGuid().ToString("N");

        var turn = new Turn(turnId, await UserAsync(teamId, userId, null, ct), channel ?? userId, KindOf(channel ?? userId, null),
            OpenLogFormText, MessageLink: link);
        var dest = new SlackDestination(teamId, userId, channel, S(payload["response_url"]), S(payload["trigger_id"]),
            MessageLink: link, Prefill: text);
        return new(turn, dest, turnId, []);
    }

    /// <summary>A modal submitted (a survey answer's too): its inputs on top of what the form submits.</summary>
    private async Task<SlackInbound?> FromViewSubmissionAsync(JsonObject payload, CancellationToken ct)
    {
        var view = (JsonObject)payload["view"]!;
        var teamId = S(payload["team"]?["id"]) ?? S(payload["user"]?["team_id"]) ?? "";
        var userId = S(payload["user"]?["id"])!;
        var metadata = await cards.ReadMetadataAsync(S(view["private_metadata"]), ct);
        var dest = SlackDestination.FromJson(metadata["ctx"] as JsonObject, teamId, userId);

        var value = metadata["submit"] is JsonObject submit ? (JsonObject)submit.DeepClone() : new JsonObject();
        foreach (var (k, v) in BlockKit.ReadInputs(view["state"]?["values"] as JsonObject, metadata)) value[k] = v?.DeepClone();

        var turnId = S(payload["trigger_id"]) ?? S(view["id"]) ?? Guid.NewGuid().ToString("N");
        var conversation = dest.ChannelId ?? userId;
        var turn = new Turn(turnId, await UserAsync(teamId, userId, null, ct), conversation, KindOf(conversation, null),
            null, value, dest.SourceTs, dest.MessageLink);
        return new(turn, dest, turnId, []);
    }

    private async Task<JsonObject?> ActionValueAsync(JsonObject action, string actionId, CancellationToken ct)
    {
        var blockId = S(action["block_id"]) ?? actionId;
        switch (S(action["type"]))
        {
            case "static_select" or "radio_buttons" or "overflow":
                var selected = S(action["selected_option"]?["value"]);
                return await cards.UnparkAsync(ParseObject(selected), ct) ?? new JsonObject { ["verb"] = actionId, [blockId] = selected };
            case "datepicker":
                return new JsonObject { ["verb"] = actionId, [blockId] = S(action["selected_date"]) };
            case "timepicker":
                return new JsonObject { ["verb"] = actionId, [blockId] = S(action["selected_time"]) };
            default:
                var raw = S(action["value"]);
                var parsed = ParseObject(raw);
                if (parsed is null) return new JsonObject { ["verb"] = actionId, ["value"] = raw };
                var value = await cards.UnparkAsync(parsed, ct);
                if (value is null) return null;
                value = (JsonObject)value.DeepClone();
                if (value["verb"] is null) value["verb"] = actionId;
                return value;
        }
    }

    private async Task<ChatUser> UserAsync(string teamId, string userId, string? name, CancellationToken ct)
    {
        var info = await users.FindAsync(teamId, userId, ct);
        return new ChatUser(ChannelIds.Slack, teamId, userId, info?.Name ?? name, info?.TimeZone, info?.Email);
    }

    /// <summary>The bot's own user id, from the event's authorizations (so its mention can be removed).</summary>
    internal static string? BotUserId(JsonObject envelope) =>
        (envelope["authorizations"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(a => a["is_bot"] is JsonValue b && b.TryGetValue<bool>(out var isBot) && isBot) is { } auth
            ? S(auth["user_id"]) : null;

    /// <summary>D… is a direct message, G… a private channel or group DM, anything else a channel.</summary>
    internal static ConversationKind KindOf(string conversation, string? channelType) => channelType switch
    {
        "im" => ConversationKind.Personal,
        "mpim" or "group" => ConversationKind.Group,
        "channel" => ConversationKind.Channel,
        _ => conversation.StartsWith('D') || conversation.StartsWith('U') ? ConversationKind.Personal
            : conversation.StartsWith('G') ? ConversationKind.Group : ConversationKind.Channel,
    };

    private static JsonObject? ParseObject(string? json)
    {
        if (string.IsNullOrEmpty(json) || json[0] != '{') return null;
        try { return JsonNode.Parse(json) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static string? S(JsonNode? n) => SlackDestination.S(n);
}

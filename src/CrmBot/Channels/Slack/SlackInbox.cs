using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Pipeline;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;

namespace CrmBot.Channels.Slack;

/// <summary>A slash command's form fields (the ones CrmBot uses).</summary>
internal sealed record SlashCommand(string TeamId, string? TeamDomain, string UserId, string? UserName, string ChannelId,
    string Command, string Text, string? ResponseUrl, string? TriggerId);

/// <summary>Where the replies to one inbound request go, and what the request offers for answering it.</summary>
internal sealed record SlackDestination(
    string TeamId,
    string UserId,
    string? ChannelId,
    string? ResponseUrl = null,
    string? TriggerId = null,
    string? SourceTs = null,
    bool SourceEphemeral = false,
    string? ThreadTs = null,
    string? MessageLink = null,
    string? Prefill = null)
{
    /// <summary>Kept in a modal's private_metadata so its submission is answered where the modal came from.</summary>
    public JsonObject ToJson() => new()
    {
        ["team"] = TeamId,
        ["channel"] = ChannelId,
        ["response_url"] = ResponseUrl,
        ["ts"] = SourceTs,
        ["ephemeral"] = SourceEphemeral,
        ["thread_ts"] = ThreadTs,
        ["link"] = MessageLink,
    };

    public static SlackDestination FromJson(JsonObject? ctx, string teamId, string userId) => new(
        S(ctx?["team"]) ?? teamId, userId, S(ctx?["channel"]), S(ctx?["response_url"]), null, S(ctx?["ts"]),
        ctx?["ephemeral"] is JsonValue e && e.TryGetValue<bool>(out var eph) && eph, S(ctx?["thread_ts"]), S(ctx?["link"]));

    internal static string? S(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}

/// <summary>
/// The background half of the Slack channel (one per work item, scoped): Slack payload → Turn,
/// the engine, replies → Web API calls. Only translation: what a turn means is the engine's business.
/// </summary>
internal sealed class SlackInbox(PipelineBot bot, SlackSender sender, SlackCardRenderer cards, SlackUserDirectory users,
    ILogger<SlackInbox> logger)
{
    // This work item is a survey answer's (one inbox per work item).
    private bool _carriesAnswer;

    /// <summary>What a bare "/crm" stands for: the engine answers "log" with nothing else by the log form.</summary>
    public const string OpenLogFormText = "log";

    /// <summary>A retried event never gets here: the endpoint stored the event id before acknowledging it.</summary>
    public async Task HandleEventAsync(JsonObject envelope, CancellationToken ct)
    {
        var eventId = S(envelope["event_id"])!;
        var ev = (JsonObject)envelope["event"]!;
        var teamId = S(envelope["team_id"]) ?? S(ev["team"]) ?? "";
        var userId = S(ev["user"])!;
        var channel = S(ev["channel"])!;
        var text = SlackText.FromSlack(SlackText.StripMention(S(ev["text"]) ?? "", BotUserId(envelope)));

        var turn = new Turn(eventId, await UserAsync(teamId, userId, null, ct), channel, KindOf(channel, S(ev["channel_type"])), text);
        var dest = new SlackDestination(teamId, userId, channel, ThreadTs: S(ev["thread_ts"]));
        await DeliverAsync(await bot.OnTurnAsync(turn, ct), dest, turn.TurnId, ct);
    }

    public async Task HandleCommandAsync(SlashCommand command, CancellationToken ct)
    {
        var text = SlackText.FromSlack(command.Text).Trim();
        if (text.Length == 0) text = OpenLogFormText;
        var turn = new Turn($"cmd:{command.TriggerId ?? Guid.NewGuid().ToString("N")}",
            await UserAsync(command.TeamId, command.UserId, command.UserName, ct),
            command.ChannelId, KindOf(command.ChannelId, null), text);
        var dest = new SlackDestination(command.TeamId, command.UserId, command.ChannelId, command.ResponseUrl, command.TriggerId);
        await DeliverAsync(await bot.OnTurnAsync(turn, ct), dest, turn.TurnId, ct);
    }

    public async Task HandleBlockActionsAsync(JsonObject payload, CancellationToken ct)
    {
        if ((payload["actions"] as JsonArray)?.FirstOrDefault() is not JsonObject action) return;
        var actionId = S(action["action_id"]) ?? "";
        if (actionId == BlockKit.OpenUrlAction) return;   // Slack opened the link; nothing for us to do

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

        if (actionId == BlockKit.OpenCardAction)
        {
            var card = await cards.UnparkAsync(ParseObject(S(action["value"])), ct);
            if (card is null || card.ContainsKey("parked"))
            {
                await SendTextAsync(dest, "That button has expired. Ask me again for a fresh card.", turnId, ct);
                return;
            }
            await DeliverAsync([new CardReply("card", card, "Form")], dest, turnId, ct);
            return;
        }

        var value = await ActionValueAsync(action, actionId, ct);
        if (value is null)
        {
            Log.ParkedExpired(logger, actionId, S(action["value"]) ?? "");
            await SendTextAsync(dest, "That button has expired. Ask me again for a fresh card.", turnId, ct);
            return;
        }
        if (viewInputs is not null)
            foreach (var (k, v) in viewInputs) value[k] = v?.DeepClone();

        var conversation = dest.ChannelId ?? userId;
        var turn = new Turn(turnId, await UserAsync(teamId, userId, null, ct), conversation, KindOf(conversation, null),
            null, value, dest.SourceTs, dest.MessageLink);
        await DeliverAsync(await bot.OnTurnAsync(turn, ct), dest, turnId, ct);
    }

    /// <summary>The "Log to CRM" message shortcut: the log form, filled in with the message and its link.</summary>
    public async Task HandleMessageActionAsync(JsonObject payload, CancellationToken ct)
    {
        var teamId = S(payload["team"]?["id"]) ?? "";
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
        await DeliverAsync(await bot.OnTurnAsync(turn, ct), dest, turnId, ct);
    }

    /// <summary>
    /// A modal submitted. <paramref name="answer"/> is the HTTP response the endpoint is waiting for:
    /// field errors or the next form go there if it is still waiting; everything else is posted.
    /// </summary>
    public async Task HandleViewSubmissionAsync(JsonObject payload, TaskCompletionSource<JsonObject?> answer, CancellationToken ct)
    {
        try
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
            var replies = await bot.OnTurnAsync(turn, ct);

            // Past the endpoint's wait the modal has closed: everything, field errors too, is posted instead.
            if (answer.Task.IsCompleted) Log.SubmissionLate(logger, turnId);
            var rest = replies.ToList();
            if (replies.OfType<FieldErrorsReply>().FirstOrDefault() is { } errors)
            {
                var body = new JsonObject
                {
                    ["response_action"] = "errors",
                    ["errors"] = new JsonObject(errors.Errors.Select(e =>
                        KeyValuePair.Create(e.Key, (JsonNode?)SlackText.Truncate(e.Value, BlockKitLimits.SectionText)))),
                };
                if (answer.TrySetResult(body)) rest.Remove(errors);
            }
            else if (replies.OfType<CardReply>().FirstOrDefault(c => BlockKit.IsForm(c.Card)) is { } next)
            {
                var nextView = await cards.ModalAsync(next.Card, dest.ToJson(), ct);
                if (answer.TrySetResult(new JsonObject { ["response_action"] = "update", ["view"] = nextView })) rest.Remove(next);
            }
            answer.TrySetResult(null);
            await DeliverAsync(rest, dest, turnId, ct);
        }
        finally
        {
            answer.TrySetResult(null);
        }
    }

    /// <summary>
    /// A modal that submits a survey answer. Nothing of the request is stored: no payload, no delivery record (its
    /// row would sit next to the member's other turns), and the turn writes nothing that names the member
    /// (the pipeline runs it as anonymous: <see cref="InboundTurn.Anonymous"/>). A repeat finds the member's
    /// participation token and is told they have answered already; it is never counted twice.
    /// </summary>
    public Task HandleAnswerSubmissionAsync(JsonObject payload, TaskCompletionSource<JsonObject?> answer, CancellationToken ct)
    {
        _carriesAnswer = true;
        return HandleViewSubmissionAsync(payload, answer, ct);
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

    /// <summary>
    /// Replies, in order, to wherever <paramref name="dest"/> says, through the channel's sender (which keeps one
    /// Slack did not take to send later). The first form opens as a modal when the request brought a trigger.
    /// </summary>
    internal async Task DeliverAsync(IEnumerable<Reply> replies, SlackDestination dest, string turnId, CancellationToken ct)
    {
        var triggerUsed = false;
        var messages = new List<SlackOutgoing>();
        foreach (var reply in replies)
        {
            switch (reply)
            {
                case CardReply card when BlockKit.IsForm(card.Card) && dest.TriggerId is not null && !triggerUsed:
                    triggerUsed = true;
                    messages.Add(new SlackOutgoing(null, Form: card.Card, FallbackText: card.FallbackText,
                        ModalForm: dest.Prefill is { Length: > 0 } prefill ? Prefill(card.Card, prefill) : null));
                    break;
                case CardReply card:
                    messages.Add(new SlackOutgoing(await cards.MessageAsync(card.Card, card.FallbackText, ct), card.ReplacesSource));
                    break;
                case TextReply text:
                    messages.Add(new SlackOutgoing(TextMessage(text.Text)));
                    break;
                case FieldErrorsReply errors:
                    messages.Add(new SlackOutgoing(TextMessage(string.Join("\n", [errors.Message, .. errors.Errors.Values.Select(v => "• " + v)]))));
                    break;
            }
        }
        // A survey answer's reply is never kept for later: its outbox row would link the conversation to an answer time.
        await sender.ReplyAsync(dest, messages, turnId, mayKeep: !_carriesAnswer, ct);
    }

    /// <summary>The shortcut's message text goes into the form's notes: the first empty multi-line text input.</summary>
    private static JsonObject Prefill(JsonObject card, string text)
    {
        var copy = (JsonObject)card.DeepClone();
        var inputs = Descendants(copy["body"]).Where(e => S(e["type"]) == "Input.Text").ToList();
        var target = inputs.FirstOrDefault(e => e["isMultiline"] is JsonValue m && m.TryGetValue<bool>(out var b) && b) ?? inputs.FirstOrDefault();
        if (target is not null && string.IsNullOrEmpty(S(target["value"]))) target["value"] = text;
        return copy;
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray a:
                foreach (var item in a) foreach (var d in Descendants(item)) yield return d;
                break;
            case JsonObject o:
                yield return o;
                foreach (var key in new[] { "items", "columns" })
                    foreach (var d in Descendants(o[key])) yield return d;
                break;
        }
    }

    private async Task SendTextAsync(SlackDestination dest, string text, string turnId, CancellationToken ct) =>
        await DeliverAsync([new TextReply(text)], dest, turnId, ct);

    /// <summary>A text reply: mrkdwn sections (3000 characters each), the same text as fallback.</summary>
    internal static SlackMessage TextMessage(string markdown)
    {
        var mrkdwn = SlackText.ToMrkdwn(markdown);
        var blocks = new JsonArray();
        foreach (var chunk in mrkdwn.Chunk(BlockKitLimits.SectionText - 1).Take(BlockKitLimits.MessageBlocks))
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = new string(chunk) } });
        if (blocks.Count == 0)
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = " " } });
        return new SlackMessage(SlackText.Truncate(mrkdwn.Length == 0 ? " " : mrkdwn, BlockKitLimits.FallbackText), blocks);
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

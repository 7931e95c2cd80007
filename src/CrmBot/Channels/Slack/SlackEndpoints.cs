using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>
/// POST /slack/events, /slack/commands, /slack/interactions. The signature filter on the group has
/// verified the raw body before these run; each answers within Slack's 3 seconds and queues the work.
/// Handlers take only HttpContext so nothing binds (reads) the body before the filter.
/// </summary>
public static class SlackEndpoints
{
    public const string RetryNumHeader = "X-Slack-Retry-Num";

    public static RouteGroupBuilder MapSlack(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/slack").AddEndpointFilter<SlackSignatureFilter>().DisableAntiforgery();
        group.MapPost("/events", EventsAsync);
        group.MapPost("/commands", Commands);
        group.MapPost("/interactions", InteractionsAsync);
        return group;
    }

    private static async Task<IResult> EventsAsync(HttpContext http, SlackWorkQueue queue, InboundDeliveries deliveries,
        IOptions<SlackOptions> options, ILogger<SlackWorkQueue> logger)
    {
        if (ParseJson(SlackSignatureFilter.Body(http).Span, out var unreadable) is not { } envelope) return BadRequest(http, logger, unreadable);

        switch (Str(envelope["type"]))
        {
            case "url_verification":
                return Results.Json(new JsonObject { ["challenge"] = Str(envelope["challenge"]) });
            case "event_callback":
                var eventId = Str(envelope["event_id"]);
                if (eventId is null || envelope["event"] is not JsonObject ev) return BadRequest(http, logger, "event_callback without event_id or event");
                if (!IsConversationalMessage(ev, SlackActivities.BotUserId(envelope))) return Results.Ok();
                if ((Str(envelope["team_id"]) ?? Str(ev["team"])) is null) return BadRequest(http, logger, "event_callback without team_id or event.team");
                var retry = http.Request.Headers[RetryNumHeader].ToString();
                return Respond(await TryAcceptAsync(queue, deliveries, options.Value, logger, SlackWork.Event, eventId, envelope.ToJsonString(),
                    retry.Length > 0 ? retry : null));
            default:
                return Results.Ok();   // app_rate_limited and other notices: nothing to do
        }
    }

    /// <summary>
    /// An @mention, or a message in a DM with the bot, typed by a person. Bots (CrmBot's own posts
    /// included), edits, deletions, joins and every other subtype are not turns.
    /// </summary>
    internal static bool IsConversationalMessage(JsonObject ev, string? botUserId)
    {
        if (ev["bot_id"] is not null || ev["bot_profile"] is not null || ev["subtype"] is not null) return false;
        var user = Str(ev["user"]);
        if (user is null || user == botUserId || Str(ev["channel"]) is null) return false;
        return Str(ev["type"]) switch
        {
            "app_mention" => true,
            "message" => Str(ev["channel_type"]) == "im",
            _ => false,
        };
    }

    private static async Task<IResult> Commands(HttpContext http, SlackWorkQueue queue, InboundDeliveries deliveries,
        IOptions<SlackOptions> options, ILogger<SlackWorkQueue> logger)
    {
        if (SlackForm.Read(SlackSignatureFilter.Body(http).Span, out var unreadable) is not { } form) return BadRequest(http, logger, unreadable);
        // Blank is missing: no member, channel or command is named by whitespace.
        string? F(string key) => form.TryGetValue(key, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0] : null;
        if (F("command") is not { } command || F("user_id") is not { } user || F("team_id") is not { } team || F("channel_id") is not { } channel)
            return BadRequest(http, logger, "slash command without command, user_id, team_id or channel_id");

        var slash = new SlashCommand(team, F("team_domain"), user, F("user_name"), channel, command, F("text") ?? "",
            F("response_url"), F("trigger_id"));
        return Respond(await TryAcceptAsync(queue, deliveries, options.Value, logger, SlackWork.Command, DeliveryId("cmd", http),
            JsonSerializer.Serialize(slash), null));
    }

    private static async Task<IResult> InteractionsAsync(HttpContext http, SlackWorkQueue queue, InboundDeliveries deliveries,
        IOptions<SlackOptions> options, TimeProvider clock, ILogger<SlackWorkQueue> logger)
    {
        if (SlackForm.Read(SlackSignatureFilter.Body(http).Span, out var unreadable) is not { } form) return BadRequest(http, logger, unreadable);
        unreadable = "interaction without a payload";
        var payload = form.TryGetValue("payload", out var p) && p.Count > 0 ? ParseJson(Encoding.UTF8.GetBytes(p[0] ?? ""), out unreadable) : null;
        if (payload is null) return BadRequest(http, logger, unreadable);
        // Shapes checked here, once: the worker reads these fields as objects.
        if (payload["user"] is not JsonObject user || Str(user["id"]) is null) return BadRequest(http, logger, "interaction without a user object with an id");
        if (payload["view"] is { } v && v is not JsonObject) return BadRequest(http, logger, "interaction whose view is not an object");
        // Ours, but it comes back through the client: unreadable, it would fail in the worker with the member never told.
        // Refused now, Slack shows the member an error in the modal.
        if (payload["view"] is JsonObject view && Str(view["private_metadata"]) is { } metadata && ParseJson(Encoding.UTF8.GetBytes(metadata), out _) is null)
            return BadRequest(http, logger, "interaction whose view.private_metadata is not a JSON object");
        if (InteractionShape(payload, user) is { } misshapen) return BadRequest(http, logger, misshapen);
        var id = DeliveryId("ia", http);

        switch (Str(payload["type"]))
        {
            case "block_actions":
                return Respond(await TryAcceptAsync(queue, deliveries, options.Value, logger, SlackWork.BlockActions, id, payload.ToJsonString(), null));
            case "message_action" when Str(payload["callback_id"]) == LogToCrmCallbackId:
                return Respond(await TryAcceptAsync(queue, deliveries, options.Value, logger, SlackWork.MessageAction, id, payload.ToJsonString(), null));
            case "view_submission" when Str(payload["view"]?["callback_id"]) == BlockKit.AnswerFormCallbackId:
                return await AnswerSubmissionAsync(payload, id, queue, options.Value, clock, logger);
            case "view_submission" when Str(payload["view"]?["callback_id"]) == BlockKit.FormCallbackId:
                return await ViewSubmissionAsync(http, payload, id, queue, deliveries, options.Value, clock, logger);
            default:
                return Results.Ok();   // view_closed, other shortcuts
        }
    }

    private static readonly string[] InteractionObjects = ["team", "channel", "container", "message"];

    /// <summary>
    /// The rest of what <see cref="SlackActivities"/> reads from an interaction, in the shape it reads it: the reason when
    /// a field is of another type, or no workspace names the member.
    /// </summary>
    private static string? InteractionShape(JsonObject payload, JsonObject user)
    {
        foreach (var key in InteractionObjects)
            if (payload[key] is { } node && node is not JsonObject) return $"interaction whose {key} is not an object";
        if ((Str(payload["team"]?["id"]) ?? Str(user["team_id"])) is null) return "interaction without team.id or user.team_id";
        if (payload["view"]?["state"] is { } state && (state is not JsonObject || state["values"] is { } values && !IsStateValues(values)))
            return "interaction whose view.state.values is not blocks of inputs, each an object with its selections as objects";
        if (payload["actions"] is { } actions
            && (actions is not JsonArray list || list.FirstOrDefault() is { } first && (first is not JsonObject action
                || action["selected_option"] is { } option && option is not JsonObject)))
            return "interaction whose actions are not objects";
        return null;
    }

    /// <summary>{block: {action: input}}, where an input's selected_option(s) are objects with a string value (BlockKit.ReadInputs reads them so).</summary>
    private static bool IsStateValues(JsonNode values)
    {
        static bool IsOption(JsonNode? o) => o is JsonObject option && (option["value"] is not { } v || v.GetValueKind() == JsonValueKind.String);
        if (values is not JsonObject blocks) return false;
        foreach (var (_, block) in blocks)
        {
            if (block is not JsonObject inputs) return false;
            foreach (var (_, input) in inputs)
            {
                if (input is not JsonObject i) return false;
                if (i["selected_option"] is { } one && !IsOption(one)) return false;
                if (i["selected_options"] is { } many && (many is not JsonArray list || !list.All(IsOption))) return false;
            }
        }
        return true;
    }

    /// <summary>callback_id of the "Log to CRM" message shortcut (manifests/slack/manifest.yml).</summary>
    public const string LogToCrmCallbackId = "log_to_crm";

    /// <summary>
    /// Field errors must come back in this very response, so the endpoint waits for the engine, but
    /// only so long: past <see cref="SlackOptions.SubmissionTimeout"/> the modal closes and the answer is posted.
    /// </summary>
    private static async Task<IResult> ViewSubmissionAsync(HttpContext http, JsonObject payload, string id, SlackWorkQueue queue,
        InboundDeliveries deliveries, SlackOptions options, TimeProvider clock, ILogger logger)
    {
        var answer = new TaskCompletionSource<JsonObject?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var accepted = await TryAcceptAsync(queue, deliveries, options, logger, SlackWork.ViewSubmission, id, payload.ToJsonString(), null, answer);
        if (accepted != Accepted.Queued) return Respond(accepted);
        return await WaitForAnswerAsync(answer, options, clock);
    }

    /// <summary>
    /// A survey answer: its payload holds the user id and every answer, so it is never stored for recovery.
    /// It is queued in memory only and worked while the modal waits (<see cref="SlackWorker"/>).
    /// Should this process die first, Slack shows the member an error and they submit again.
    /// </summary>
    private static async Task<IResult> AnswerSubmissionAsync(JsonObject payload, string id, SlackWorkQueue queue, SlackOptions options,
        TimeProvider clock, ILogger logger)
    {
        var answer = new TaskCompletionSource<JsonObject?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.TryEnqueue(new SlackWork(SlackWork.AnswerSubmission, id, payload, Answer: answer)))
        {
            Log.QueueFull(logger, SlackWork.AnswerSubmission, id);
            return Respond(Accepted.Refused);
        }
        return await WaitForAnswerAsync(answer, options, clock);
    }

    private static async Task<IResult> WaitForAnswerAsync(TaskCompletionSource<JsonObject?> answer, SlackOptions options, TimeProvider clock)
    {
        using var timeout = new CancellationTokenSource(options.SubmissionTimeout, clock);
        try { await answer.Task.WaitAsync(timeout.Token); }
        catch (OperationCanceledException) { answer.TrySetResult(null); }
        var body = await answer.Task;
        return body is null ? Results.Ok() : Results.Json(body);
    }

    private enum Accepted { Queued, Duplicate, Refused }

    /// <summary>
    /// Stores the request (one insert: its delivery id for dedupe, and the payload to redo it should
    /// this process die after the 200), then queues it. A repeat is acknowledged and not queued.
    /// </summary>
    private static async Task<Accepted> TryAcceptAsync(SlackWorkQueue queue, InboundDeliveries deliveries, SlackOptions options,
        ILogger logger, string kind, string id, string payloadJson, string? retryNum, TaskCompletionSource<JsonObject?>? answer = null)
    {
        if (!await deliveries.TryAcceptAsync(ChannelIds.Slack, id, kind, payloadJson, queue.Owner, queue.WorkLease))
        {
            Log.DuplicateEvent(logger, id, retryNum);
            return Accepted.Duplicate;
        }
        if (queue.TryEnqueue(SlackWork.FromStored(kind, id, payloadJson, answer)!)) return Accepted.Queued;
        Log.QueueFull(logger, kind, id);
        // Refused, so not acknowledged: forget it, or recovery would do what the user was told failed.
        await deliveries.ForgetAsync(ChannelIds.Slack, id);
        return Accepted.Refused;
    }

    private static IResult Respond(Accepted accepted) =>
        accepted == Accepted.Refused ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Ok();

    /// <summary>
    /// Commands and interactions carry no delivery id; the signed body is unique per request (it holds
    /// a trigger_id), so its hash is one, and an identical body really is the same request again.
    /// </summary>
    private static string DeliveryId(string prefix, HttpContext http) =>
        prefix + ":" + Convert.ToHexStringLower(SHA256.HashData(SlackSignatureFilter.Body(http).Span));

    private static IResult BadRequest(HttpContext http, ILogger logger, string reason)
    {
        Log.BadRequest(logger, http.Request.Path, reason);
        return Results.BadRequest(new { error = reason });
    }

    // A key given twice has no one meaning: refused, as Teams does.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The body as a JSON object; null with the reason when it is not one or its strings cannot be read.</summary>
    private static JsonObject? ParseJson(ReadOnlySpan<byte> body, out string reason)
    {
        reason = "body is not a JSON object";
        if (JsonText.Unreadable(body) is { } unreadable)
        {
            reason = unreadable;
            return null;
        }
        try { return JsonNode.Parse(body, documentOptions: Strict) as JsonObject; }
        catch (Exception e) when (e is JsonException or ArgumentException) { return null; }
    }

    private static string? Str(JsonNode? n) => SlackDestination.S(n);
}

using CrmBot.Crm.ChatState;
using CrmBot.Crm.Diagnostics;
using System.Text.Json.Nodes;
using CrmBot.Proactive;

namespace CrmBot.Channels.Slack;

/// <summary>
/// One message to send: <paramref name="Message"/> (<paramref name="Replace"/>: in place of the message the request
/// came from), or a <paramref name="Form"/> card to open as a modal with the request's trigger (as
/// <paramref name="ModalForm"/> when that differs, e.g. filled in from a shortcut's message), sent as a message
/// (with an "Open form" button) when the trigger can no longer open one.
/// </summary>
internal sealed record SlackOutgoing(SlackMessage? Message, bool Replace = false, JsonObject? Form = null, string? FallbackText = null,
    JsonObject? ModalForm = null);

/// <summary>
/// The one way out to Slack, for a turn's replies and proactive messages alike: a <see cref="SlackDestination"/>
/// and messages, sent in order — in place of the source message (chat.update, or its response_url when it was
/// ephemeral), to the request's response_url (or ephemerally when that has expired), as a modal through a trigger,
/// or posted to the channel, its thread or the user's DM. It alone reads a Slack failure (transient or not, and the
/// Retry-After), and it alone decides what happens to a reply that still fails after the client's retries: kept in
/// the outbox (<see cref="ReplyOutbox"/>) and sent again later from there, by this class.
/// </summary>
internal sealed class SlackSender(SlackApiClient api, SlackCardRenderer cards, ReplyOutbox outbox, ILogger<SlackSender> logger)
    : IStoredReplySender
{
    // Slack's own "try again" answers; everything else (channel_not_found, not_in_channel,
    // invalid_auth, invalid_blocks…) will not improve by waiting.
    private static readonly HashSet<string> TransientErrors =
        ["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"];

    public string Channel => ChannelIds.Slack;

    /// <summary>Posts one message to a channel once; what it came to. The proactive sender's way out.</summary>
    public async Task<SendResult> PostAsync(string channel, SlackMessage message, CancellationToken ct) =>
        (await SendInOrderAsync(new SlackDestination("", "", channel), [new SlackOutgoing(message)], 0, ct)).Result;

    /// <summary>
    /// A turn's replies. One that still fails for a reason that waiting cures goes, with those after it, to the
    /// outbox, unless <paramref name="mayKeep"/> is false (a survey answer's turn: a row would link the conversation
    /// to the time of an answer); then, as for a failure waiting does not cure, it is logged and lost.
    /// </summary>
    public async Task ReplyAsync(SlackDestination dest, IReadOnlyList<SlackOutgoing> messages, string turnId, bool mayKeep, CancellationToken ct)
    {
        for (var next = 0; next < messages.Count;)
        {
            var (result, failed) = await SendInOrderAsync(dest, messages, next, ct);
            switch (result)
            {
                case TransientResult transient when mayKeep:
                    await outbox.KeepAsync(Channel, dest.ChannelId ?? dest.UserId, await StoreAsync(dest, messages.Skip(failed), ct), transient);
                    return;
                case TransientResult:
                    Log.ReplyLost(logger);
                    break;
                case PermanentResult permanent:
                    Log.DeliveryFailed(logger, turnId, permanent.Error);
                    break;
            }
            // The rest still go: a message Slack refused says nothing about the next one.
            next = failed + 1;
        }
    }

    public async Task<SendResult> SendStoredReplyAsync(string payloadJson, CancellationToken ct)
    {
        JsonObject? stored;
        try { stored = JsonNode.Parse(payloadJson) as JsonObject; }
        catch (System.Text.Json.JsonException ex) { return SendResult.Permanent($"unreadable reply: {ex.Message}"); }
        if (stored?["to"] is not JsonObject to || stored["messages"] is not JsonArray list)
            return SendResult.Permanent("unreadable reply: no destination or messages");

        var dest = SlackDestination.FromJson(to, SlackDestination.S(to["team"]) ?? "", SlackDestination.S(to["user"]) ?? "");
        var messages = list.OfType<JsonObject>().Select(m => new SlackOutgoing(
            new SlackMessage(SlackDestination.S(m["text"]) ?? " ", m["blocks"] as JsonArray ?? []),
            m["replace"] is JsonValue r && r.TryGetValue<bool>(out var replace) && replace)).ToList();
        var (result, failed) = await SendInOrderAsync(dest, messages, 0, ct);
        return result is TransientResult transient && failed > 0
            ? transient with { RemainingPayloadJson = await StoreAsync(dest, messages.Skip(failed), ct) }
            : result;
    }

    /// <summary>
    /// The reply as the outbox row keeps it: the destination without its trigger (long expired by then), and each
    /// message rendered; a form goes as the message it falls back to.
    /// </summary>
    private async Task<string> StoreAsync(SlackDestination dest, IEnumerable<SlackOutgoing> messages, CancellationToken ct)
    {
        var to = dest.ToJson();
        to["user"] = dest.UserId;
        var list = new JsonArray();
        foreach (var item in messages)
        {
            var message = item.Message ?? await cards.MessageAsync(item.Form!, item.FallbackText, ct);
            list.Add(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone(), ["replace"] = item.Replace });
        }
        return new JsonObject { ["to"] = to, ["messages"] = list }.ToJsonString();
    }

    /// <summary>Sends from <paramref name="from"/> on until the first failure: what that was, and which message failed.</summary>
    private async Task<(SendResult Result, int Failed)> SendInOrderAsync(SlackDestination dest, IReadOnlyList<SlackOutgoing> messages, int from,
        CancellationToken ct)
    {
        for (var i = from; i < messages.Count; i++)
        {
            var item = messages[i];
            try
            {
                using var sending = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Send);
                if (item.Form is { } form)
                {
                    if (!await TryOpenModalAsync(item.ModalForm ?? form, dest, ct))
                        await SendAsync(dest, await cards.MessageAsync(form, item.FallbackText, ct), false, ct);
                }
                else await SendAsync(dest, item.Message!, item.Replace, ct);
            }
            catch (Exception ex) when (Failure(ex, ct) is { } failure)
            {
                return (failure, i);
            }
        }
        return (SendResult.Delivered, messages.Count);
    }

    /// <summary>
    /// What a Slack failure means. The client has already retried 429 and 5xx a few times; what reaches us is worth
    /// another go later only when Slack said "not now". A call that got no answer (connection lost, timed out) may
    /// have been posted: tried again too, as the outbox does, rather than lost.
    /// </summary>
    internal static SendResult? Failure(Exception ex, CancellationToken ct) => ex switch
    {
        SlackApiException s when IsTransient(s.Error) => SendResult.Transient(s.Message, s.RetryAfter),
        SlackApiException s => SendResult.Permanent(s.Message),
        HttpRequestException => SendResult.Transient($"Slack: {ex.GetType().Name}: {ex.Message}"),
        TaskCanceledException when !ct.IsCancellationRequested => SendResult.Transient($"Slack: timed out: {ex.Message}"),
        _ => null,
    };

    private static bool IsTransient(string error) =>
        TransientErrors.Contains(error)
        || (error.StartsWith("http_", StringComparison.Ordinal) && int.TryParse(error[5..], out var status) && (status is 429 or 408 || status >= 500));

    private async Task<bool> TryOpenModalAsync(JsonObject card, SlackDestination dest, CancellationToken ct)
    {
        var view = await cards.ModalAsync(card, dest.ToJson(), ct);
        try
        {
            await api.OpenViewAsync(dest.TriggerId!, view, ct);
            return true;
        }
        catch (SlackApiException ex) when (ex.Error is "expired_trigger_id" or "invalid_trigger_id" or "exchanged_trigger_id")
        {
            return false;   // too late for a modal: the form goes as a message with an "Open form" button
        }
    }

    private async Task SendAsync(SlackDestination dest, SlackMessage message, bool replace, CancellationToken ct)
    {
        if (replace && dest.SourceTs is not null)
        {
            if (!dest.SourceEphemeral && dest.ChannelId is not null)
            {
                await api.UpdateMessageAsync(dest.ChannelId, dest.SourceTs, message, ct);
                return;
            }
            if (dest.ResponseUrl is not null)
            {
                // Ephemeral messages have no ts Slack lets us update; their response_url can replace them.
                await api.PostToResponseUrlAsync(dest.ResponseUrl, ResponseBody(message, replace: true), ct);
                return;
            }
        }
        if (dest.ResponseUrl is not null)
        {
            try
            {
                await api.PostToResponseUrlAsync(dest.ResponseUrl, ResponseBody(message, replace: false), ct);
                return;
            }
            catch (SlackApiException) when (dest.ChannelId is not null)
            {
                // response_url expired (30 minutes, 5 uses): say it to the user directly instead.
                await api.PostEphemeralAsync(dest.ChannelId, dest.UserId, message, ct);
                return;
            }
        }
        var channel = dest.ChannelId ?? await api.OpenDirectMessageAsync(dest.UserId, ct);
        await api.PostMessageAsync(channel, message, dest.ThreadTs, ct);
    }

    private static JsonObject ResponseBody(SlackMessage message, bool replace) => new()
    {
        ["response_type"] = "ephemeral",
        ["replace_original"] = replace,
        ["text"] = message.Text,
        ["blocks"] = message.Blocks.DeepClone(),
    };
}

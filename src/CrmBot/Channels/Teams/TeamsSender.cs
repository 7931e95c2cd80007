using CrmBot.Crm.ChatState;
using CrmBot.Crm.Diagnostics;
using System.Text.Json;
using CrmBot.Proactive;

namespace CrmBot.Channels.Teams;

/// <summary>
/// Where messages go in a Teams conversation: its serviceUrl and id; <paramref name="ReplyToId"/> threads them
/// under a message (the inbound one), <paramref name="UpdateId"/> is the message a replacing card updates in place.
/// </summary>
public sealed record TeamsAddress(string ServiceUrl, string ConversationId, string? ReplyToId = null, string? UpdateId = null);

/// <summary>One message to send; <paramref name="ReplacesSource"/>: it updates the address's UpdateId, when there is one.</summary>
public sealed record TeamsOutgoing(BotActivity Activity, bool ReplacesSource = false);

/// <summary>
/// The one way out to Teams (the SDK's ContinueConversation): an address and activities, sent in order through the
/// Connector, for a turn's replies and for proactive messages alike. It alone reads a Connector failure (transient
/// or not, and the Retry-After), and it alone decides what happens to a reply that still fails after the Connector
/// client's retries: kept in the outbox (<see cref="ReplyOutbox"/>) and sent again later from there, by this class.
/// </summary>
public sealed class TeamsSender(ConnectorClient connector, ReplyOutbox outbox, ILogger<TeamsSender> log) : IStoredReplySender
{
    public string Channel => ChannelIds.Teams;

    /// <summary>Sends once; what it came to. Used by the proactive sender and for stored replies.</summary>
    public async Task<SendResult> SendAsync(TeamsAddress address, IReadOnlyList<TeamsOutgoing> messages, CancellationToken ct) =>
        (await SendInOrderAsync(address, messages, ct)).Result;

    /// <summary>
    /// A turn's replies. One that still fails for a reason that waiting cures goes, with those after it, to the
    /// outbox, unless <paramref name="mayKeep"/> is false (a survey answer's turn: a row would link the conversation
    /// to the time of an answer); then, as for a failure waiting does not cure, it is logged and lost.
    /// </summary>
    public async Task ReplyAsync(TeamsAddress address, IReadOnlyList<TeamsOutgoing> messages, bool mayKeep, CancellationToken ct)
    {
        var (result, sent) = await SendInOrderAsync(address, messages, ct);
        switch (result)
        {
            case TransientResult transient when mayKeep:
                await outbox.KeepAsync(Channel, address.ConversationId, Store(address, messages.Skip(sent)), transient);
                break;
            case TransientResult:
                Log.ReplyLost(log);
                break;
            case PermanentResult permanent:
                // The message says what happened and, for an untrusted host, which setting to change.
                Log.ReplyFailed(log, permanent.Error);
                break;
        }
    }

    public async Task<SendResult> SendStoredReplyAsync(string payloadJson, CancellationToken ct)
    {
        StoredReply? stored;
        try { stored = JsonSerializer.Deserialize<StoredReply>(payloadJson, BotJson.Options); }
        catch (JsonException ex) { return SendResult.Permanent($"unreadable reply: {ex.Message}"); }
        if (stored?.Address is null || stored.Messages is null) return SendResult.Permanent("unreadable reply: no address or messages");

        var (result, sent) = await SendInOrderAsync(stored.Address, stored.Messages, ct);
        return result is TransientResult transient && sent > 0
            ? transient with { RemainingPayloadJson = Store(stored.Address, stored.Messages.Skip(sent)) }
            : result;
    }

    /// <summary>The reply as the outbox row keeps it.</summary>
    private sealed record StoredReply(TeamsAddress Address, IReadOnlyList<TeamsOutgoing> Messages);

    private static string Store(TeamsAddress address, IEnumerable<TeamsOutgoing> messages) =>
        JsonSerializer.Serialize(new StoredReply(address, messages.ToList()), BotJson.Options);

    /// <summary>Sends until the first failure: what that was, and how many went out before it.</summary>
    private async Task<(SendResult Result, int Sent)> SendInOrderAsync(TeamsAddress address, IReadOnlyList<TeamsOutgoing> messages, CancellationToken ct)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var (activity, replacesSource) = messages[i];
            try
            {
                using var sending = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Send);
                if (replacesSource && address.UpdateId is { } source)
                    await connector.UpdateActivityAsync(address.ServiceUrl, address.ConversationId, source, activity, ct);
                else if (address.ReplyToId is { } replyTo)
                    await connector.ReplyToActivityAsync(address.ServiceUrl, address.ConversationId, replyTo, activity, ct);
                else
                    await connector.SendToConversationAsync(address.ServiceUrl, address.ConversationId, activity, ct);
            }
            catch (Exception ex) when (Failure(ex) is { } failure)
            {
                return (failure, i);
            }
        }
        return (SendResult.Delivered, messages.Count);
    }

    /// <summary>
    /// What a Connector failure means. The client has already retried throttling and 5xx a few times; what reaches
    /// us is worth another go later only when the service said "not now". A call that got no answer (connection
    /// lost, timed out) may have been delivered: tried again too, as the outbox does, rather than lost.
    /// </summary>
    internal static SendResult? Failure(Exception ex) => ex switch
    {
        ConnectorException { StatusCode: { } status } c when SendResult.IsTransientStatus((int)status) => SendResult.Transient($"Connector: {c.Message}", c.RetryAfter),
        ConnectorException c => SendResult.Permanent($"Connector: {c.Message}"),
        HttpRequestException or Polly.Timeout.TimeoutRejectedException => SendResult.Transient($"Connector: {ex.GetType().Name}: {ex.Message}"),
        _ => null,
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Pipeline;
using CrmBot.Crm.ChatState;

namespace CrmBot.Channels.Slack;

/// <summary>One piece of work acknowledged to Slack and still to be done: a request as it came, read by <see cref="SlackActivities"/>.</summary>
/// <param name="Kind">"event", "command", … (stored with the payload, so recovery can rebuild it).</param>
/// <param name="Id">The delivery id under which it is stored in <see cref="InboundDeliveries"/>.</param>
/// <param name="Payload">The JSON payload (every kind but a command).</param>
/// <param name="Slash">A slash command's fields.</param>
/// <param name="Answer">
/// The HTTP response a modal submission waits for; recovered submissions get none, so their replies are posted.
/// </param>
internal sealed record SlackWork(string Kind, string Id, JsonObject? Payload, SlashCommand? Slash = null,
    TaskCompletionSource<JsonObject?>? Answer = null)
{
    /// <summary>
    /// As the pipeline runs it: stored before the 200 and leased to this instance, except a survey answer, which is
    /// anonymous and never stored.
    /// </summary>
    public InboundTurn Inbound => CarriesAnswer
        ? new InboundTurn(ChannelIds.Slack, null, Anonymous: true)
        : new InboundTurn(ChannelIds.Slack, Id, Accepted: true);

    /// <summary>A survey answer's: nothing of it is stored, and its reply is never kept for later.</summary>
    public bool CarriesAnswer => Kind == AnswerSubmission;

    public const string Event = "event", Command = "command", BlockActions = "block_actions",
        MessageAction = "message_action", ViewSubmission = "view_submission",
        // Never stored, so never rebuilt by FromStored: a survey answer lives in memory only.
        AnswerSubmission = "answer_submission";

    /// <summary>Rebuilds work from what was stored before the 200; null when it cannot be read.</summary>
    public static SlackWork? FromStored(string kind, string id, string json, TaskCompletionSource<JsonObject?>? answer = null)
    {
        if (kind == Command)
            return JsonSerializer.Deserialize<SlashCommand>(json) is { } slash ? new SlackWork(kind, id, null, slash) : null;
        if (kind is not (Event or BlockActions or MessageAction or ViewSubmission) || JsonNode.Parse(json) is not JsonObject payload) return null;
        return new SlackWork(kind, id, payload, Answer: kind == ViewSubmission ? answer : null);
    }
}

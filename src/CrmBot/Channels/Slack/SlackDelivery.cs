using System.Text.Json.Nodes;
using CrmBot.Conversations;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Delivery, the Slack counterpart of Teams' sending of a turn's replies (one per turn, scoped, after the turn gave
/// back its slot and scope): a modal submission's answer in the HTTP response the endpoint waits for, the first form
/// through the request's trigger, and the rest through <see cref="SlackSender"/>.
/// </summary>
internal sealed class SlackDelivery(SlackSender sender, SlackCardRenderer cards, ILogger<SlackDelivery> logger)
{
    /// <summary>Delivers <paramref name="inbound"/>'s replies; true once they went out (or were kept for later).</summary>
    public async Task<bool> DeliverAsync(SlackWork work, SlackInbound inbound, CancellationToken ct)
    {
        var replies = inbound.Replies;
        if (work.Kind is SlackWork.ViewSubmission or SlackWork.AnswerSubmission)
            replies = await AnswerSubmissionAsync(work.Answer, inbound, ct);
        // A survey answer's reply is never kept for later: its outbox row would link the conversation to an answer time.
        await SendAsync(replies, inbound.Destination, inbound.TurnId, mayKeep: !work.CarriesAnswer, ct);
        return true;
    }

    /// <summary>
    /// A modal submitted. <paramref name="answer"/> is the HTTP response the endpoint is waiting for (none for a
    /// recovered submission): field errors or the next form go there if it is still waiting; what is left is posted.
    /// </summary>
    private async Task<IReadOnlyList<Reply>> AnswerSubmissionAsync(TaskCompletionSource<JsonObject?>? answer, SlackInbound inbound,
        CancellationToken ct)
    {
        // Past the endpoint's wait the modal has closed: everything, field errors too, is posted instead.
        if (answer is null || answer.Task.IsCompleted)
        {
            Log.SubmissionLate(logger, inbound.TurnId);
            return inbound.Replies;
        }
        var rest = inbound.Replies.ToList();
        if (rest.OfType<FieldErrorsReply>().FirstOrDefault() is { } errors)
        {
            var body = new JsonObject
            {
                ["response_action"] = "errors",
                ["errors"] = new JsonObject(errors.Errors.Select(e =>
                    KeyValuePair.Create(e.Key, (JsonNode?)SlackText.Truncate(e.Value, BlockKitLimits.SectionText)))),
            };
            if (answer.TrySetResult(body)) rest.Remove(errors);
        }
        else if (rest.OfType<CardReply>().FirstOrDefault(c => BlockKit.IsForm(c.Card)) is { } next)
        {
            var nextView = await cards.ModalAsync(next.Card, inbound.Destination.ToJson(), ct);
            if (answer.TrySetResult(new JsonObject { ["response_action"] = "update", ["view"] = nextView })) rest.Remove(next);
        }
        answer.TrySetResult(null);
        return rest;
    }

    /// <summary>
    /// Replies, in order, to wherever <paramref name="dest"/> says, through the channel's sender (which keeps one
    /// Slack did not take to send later). The first form opens as a modal when the request brought a trigger.
    /// </summary>
    private async Task SendAsync(IEnumerable<Reply> replies, SlackDestination dest, string turnId, bool mayKeep, CancellationToken ct)
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
        await sender.ReplyAsync(dest, messages, turnId, mayKeep, ct);
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


    private static string? S(JsonNode? n) => SlackDestination.S(n);
}

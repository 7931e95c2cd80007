using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;

namespace CrmBot.Crm.Outbox;

/// <summary>One bound Adaptive Card (the conversation layer binds it; the store only carries it).</summary>
public sealed record OutboxCard(string Name, JsonObject Card);

/// <summary>
/// What a proactive message says: a text fallback and zero or more bound cards, shown together
/// as one message (Teams: attachments of one activity; Slack: the blocks of one chat.postMessage).
/// </summary>
public sealed record ProactivePayload(string Text, IReadOnlyList<OutboxCard> Cards)
{
    public static ProactivePayload TextOnly(string text) => new(text, []);

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static ProactivePayload FromJson(string json) =>
        JsonSerializer.Deserialize<ProactivePayload>(json, JsonSerializerOptions.Web)
        ?? throw new JsonException("Empty outbox payload.");
}

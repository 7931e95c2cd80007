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

/// <summary>
/// Where a proactive message goes. A member means a direct message (the channel sender finds or
/// creates the 1:1 conversation); a target is a channel/conversation id on that platform.
/// </summary>
public sealed record ProactiveAddress(string Channel, int? MemberId = null, string? Target = null, int? ConversationAddressId = null)
{
    public static ProactiveAddress DirectTo(Member member) => new(member.Channel, MemberId: member.Id);

    public static ProactiveAddress ToConversation(string channel, string target) => new(channel, Target: target);
}

/// <summary>Outbox kinds: what a row is, for the `outbox` command and the digest.</summary>
public static class OutboxKinds
{
    public const string Digest = "digest";
    public const string StageChange = "stage-change";
    public const string SurveyReminder = "survey-reminder";

    /// <summary>
    /// A reply to a turn that its channel could not deliver at the time (throttled, down): the row carries the
    /// channel's own address and messages in its payload, and the channel's sender sends it as it would have.
    /// </summary>
    public const string Reply = "reply";

    /// <summary>
    /// Kinds whose rows are deleted once sent or given up, not kept as Sent/Failed: a survey
    /// reminder's row names a member who had not answered, a list the store must not keep.
    /// </summary>
    public static bool ForgottenOnceDone(string kind) => kind == SurveyReminder;
}

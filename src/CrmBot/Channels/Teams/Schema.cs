using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CrmBot.Channels.Teams;

// The Bot Framework activity schema (Microsoft.Bot.Schema), the parts CrmBot reads or writes.
// Unknown fields are accepted and ignored; nulls are left out when we write.

public static class ActivityTypes
{
    public const string Message = "message";
    public const string Invoke = "invoke";
    public const string ConversationUpdate = "conversationUpdate";
}

public static class DeliveryModes
{
    public const string ExpectReplies = "expectReplies";
}

/// <summary>The schema's TeamsChannelAccount: a member as the conversation members API answers, with what an
/// activity's <c>from</c> leaves out.</summary>
public sealed class TeamsChannelAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
    public string? Email { get; set; }
    public string? UserPrincipalName { get; set; }
}

/// <summary>
/// The Bot Framework schema's Activity: one message, invoke or event on the wire. Called BotActivity here because the
/// CRM's logged call or email is its <c>Activity</c> and tracing has <c>System.Diagnostics.Activity</c>.
/// </summary>
public sealed class BotActivity
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public DateTimeOffset? LocalTimestamp { get; set; }
    /// <summary>IANA zone of the sender's client (Teams sets it on user activities).</summary>
    public string? LocalTimezone { get; set; }
    public string? ServiceUrl { get; set; }
    public string? ChannelId { get; set; }
    public ChannelAccount? From { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public ChannelAccount? Recipient { get; set; }
    public string? TextFormat { get; set; }
    public string? Locale { get; set; }
    public string? Text { get; set; }
    public string? Summary { get; set; }
    public List<Attachment>? Attachments { get; set; }
    public List<JsonObject>? Entities { get; set; }
    public JsonObject? ChannelData { get; set; }
    public string? ReplyToId { get; set; }
    public JsonNode? Value { get; set; }
    public string? Name { get; set; }
    public List<ChannelAccount>? MembersAdded { get; set; }
    public List<ChannelAccount>? MembersRemoved { get; set; }
    public string? DeliveryMode { get; set; }

    /// <summary>Teams puts the tenant in channelData; conversation.tenantId is not always there.</summary>
    [JsonIgnore]
    public string? TenantId => Conversation?.TenantId ?? ChannelData?["tenant"]?["id"]?.GetValue<string>();

    /// <summary>The SDK's GetConversationReference: enough to answer in this conversation later.</summary>
    public ConversationReference GetConversationReference() => new()
    {
        ActivityId = Id,
        User = From,
        Bot = Recipient,
        Conversation = Conversation,
        ChannelId = ChannelId,
        ServiceUrl = ServiceUrl,
        Locale = Locale,
    };
}

public sealed class ChannelAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
    public string? Role { get; set; }
}

public sealed class ConversationAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public bool? IsGroup { get; set; }
    /// <summary>"personal", "groupChat" or "channel".</summary>
    public string? ConversationType { get; set; }
    public string? TenantId { get; set; }
}

public sealed class Attachment
{
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    public string? ContentType { get; set; }
    public JsonNode? Content { get; set; }
    public string? ContentUrl { get; set; }
    public string? Name { get; set; }
}

public sealed class ConversationReference
{
    public string? ActivityId { get; set; }
    public ChannelAccount? User { get; set; }
    public ChannelAccount? Bot { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public string? ChannelId { get; set; }
    public string? ServiceUrl { get; set; }
    public string? Locale { get; set; }
}

/// <summary>Body of POST v3/conversations (proactive 1:1).</summary>
public sealed class ConversationParameters
{
    public bool? IsGroup { get; set; }
    public ChannelAccount? Bot { get; set; }
    public List<ChannelAccount>? Members { get; set; }
    public string? TenantId { get; set; }
    public JsonObject? ChannelData { get; set; }
    public BotActivity? Activity { get; set; }
}

public sealed class ResourceResponse
{
    public string? Id { get; set; }
}

public sealed class ConversationResourceResponse
{
    public string? Id { get; set; }
    public string? ActivityId { get; set; }
    public string? ServiceUrl { get; set; }
}

/// <summary>Response body for deliveryMode expectReplies.</summary>
public sealed class ExpectedReplies
{
    public List<BotActivity> Activities { get; set; } = [];
}

/// <summary>The body of an Adaptive Card universal action (Action.Execute) response.</summary>
public sealed class AdaptiveCardInvokeResponse
{
    public const string MessageType = "application/vnd.microsoft.activity.message";
    public const string ErrorType = "application/vnd.microsoft.error";

    public int StatusCode { get; set; }
    public string? Type { get; set; }
    public JsonNode? Value { get; set; }
}

public static class BotJson
{
    /// <summary>
    /// camelCase, nulls omitted, as the Bot Framework services write it. The schema's types are read and written by
    /// generated code (<see cref="BotJsonContext"/>): the reflection serializer builds and JIT-compiles an accessor
    /// per property the first time it meets a type, a part of the first turn after a start (docs/decisions/performance.md,
    /// finding 28). Anything else falls back to reflection.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A key given twice has no one meaning; refused when read, JsonObject fields included (issue 28).
        AllowDuplicateProperties = false,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(BotJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}

// The same settings as BotJson.Options: the generated code fixes the property names when it is compiled.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BotActivity))]
[JsonSerializable(typeof(ConversationParameters))]
[JsonSerializable(typeof(ResourceResponse))]
[JsonSerializable(typeof(ConversationResourceResponse))]
[JsonSerializable(typeof(ExpectedReplies))]
[JsonSerializable(typeof(AdaptiveCardInvokeResponse))]
internal sealed partial class BotJsonContext : JsonSerializerContext;

using System.Text.Json.Nodes;

namespace CrmBot.Channels.Slack;

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

    /// <summary>A string field, null when absent, of another type, or blank (a blank id names no one).</summary>
    internal static string? S(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}

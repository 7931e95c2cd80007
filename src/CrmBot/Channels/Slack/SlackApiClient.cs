using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CrmBot.Proactive;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>A Web API call that answered ok:false (Slack's error code in <see cref="Error"/>), or could not be made.</summary>
public sealed class SlackApiException(string method, string error, TimeSpan? retryAfter = null)
    : Exception($"Slack {method} failed: {error}")
{
    public string Method { get; } = method;
    public string Error { get; } = error;

    /// <summary>How long Slack asked us to wait (a 429's Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>What users.info tells us about a member.</summary>
public sealed record SlackUserInfo(string Id, string? Name, string? TimeZone, string? Email, bool IsBot);

/// <summary>
/// Slack's Web API (the subset CrmBot uses) with the bot token as bearer. Retries on 429 honouring
/// Retry-After, and on 502/503/504, are done by the resilience handler registered in AddSlack; a
/// timeout is never retried, since a post may have gone through.
/// </summary>
public sealed class SlackApiClient(HttpClient http, IOptions<SlackOptions> options, ILogger<SlackApiClient> logger)
{
    /// <summary>chat.postMessage; returns the message's ts (its id, for chat.update).</summary>
    public async Task<string> PostMessageAsync(string channel, SlackMessage message, string? threadTs = null, CancellationToken ct = default)
    {
        var body = MessageBody(message);
        body["channel"] = channel;
        if (threadTs is not null) body["thread_ts"] = threadTs;
        var answer = await CallAsync("chat.postMessage", body, ct);
        return answer["ts"]?.GetValue<string>() ?? throw new SlackApiException("chat.postMessage", "no_ts");
    }

    /// <summary>chat.update: replaces the message in place.</summary>
    public Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken ct = default)
    {
        var body = MessageBody(message);
        body["channel"] = channel;
        body["ts"] = ts;
        return CallAsync("chat.update", body, ct);
    }

    /// <summary>chat.postEphemeral: only <paramref name="user"/> sees it.</summary>
    public Task PostEphemeralAsync(string channel, string user, SlackMessage message, CancellationToken ct = default)
    {
        var body = MessageBody(message);
        body["channel"] = channel;
        body["user"] = user;
        return CallAsync("chat.postEphemeral", body, ct);
    }

    /// <summary>views.open: needs a trigger_id less than 3 seconds old. Returns the view id.</summary>
    public async Task<string?> OpenViewAsync(string triggerId, JsonObject view, CancellationToken ct = default)
    {
        var answer = await CallAsync("views.open", new JsonObject { ["trigger_id"] = triggerId, ["view"] = view }, ct);
        return answer["view"]?["id"]?.GetValue<string>();
    }

    public Task UpdateViewAsync(string viewId, JsonObject view, CancellationToken ct = default) =>
        CallAsync("views.update", new JsonObject { ["view_id"] = viewId, ["view"] = view }, ct);

    /// <summary>conversations.open: the DM channel with a user (for proactive messages).</summary>
    public async Task<string> OpenDirectMessageAsync(string userId, CancellationToken ct = default)
    {
        var answer = await CallAsync("conversations.open", new JsonObject { ["users"] = userId }, ct);
        return answer["channel"]?["id"]?.GetValue<string>() ?? throw new SlackApiException("conversations.open", "no_channel");
    }

    /// <summary>users.info (a read method: Slack wants it form-encoded, not JSON).</summary>
    public async Task<SlackUserInfo> UserInfoAsync(string userId, CancellationToken ct = default)
    {
        using var content = new FormUrlEncodedContent([new("user", userId)]);
        var answer = await SendAsync("users.info", content, ct);
        var user = answer["user"] as JsonObject ?? throw new SlackApiException("users.info", "no_user");
        var profile = user["profile"] as JsonObject;
        string? S(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        return new SlackUserInfo(userId,
            S(profile?["display_name"]) ?? S(profile?["real_name"]) ?? S(user["real_name"]) ?? S(user["name"]),
            S(user["tz"]), S(profile?["email"]),
            user["is_bot"] is JsonValue b && b.TryGetValue<bool>(out var isBot) && isBot);
    }

    /// <summary>
    /// Posts to an interaction's response_url (no token needed: the URL is the credential). Only to
    /// Slack's hooks host, or the configured API host (tests), so a payload cannot point us elsewhere.
    /// </summary>
    public async Task PostToResponseUrlAsync(string responseUrl, JsonObject body, CancellationToken ct = default)
    {
        if (!IsTrustedResponseUrl(responseUrl)) throw new SlackApiException("response_url", "untrusted_host");
        using var response = await http.PostAsJsonAsync(responseUrl, body, ct);
        if (!response.IsSuccessStatusCode)
        {
            var error = $"http_{(int)response.StatusCode}";
            Log.ApiFailed(logger, "response_url", error);
            throw new SlackApiException("response_url", error, SendResult.ReadRetryAfter(response));
        }
    }

    public bool IsTrustedResponseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        if (uri.Scheme == Uri.UriSchemeHttps && uri.Host.Equals("hooks.slack.com", StringComparison.OrdinalIgnoreCase)) return true;
        var api = options.Value.ApiBaseUrl;
        return uri.Scheme == api.Scheme && uri.Host.Equals(api.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == api.Port;
    }

    /// <summary>Any JSON Web API method; the answer when ok, else <see cref="SlackApiException"/>.</summary>
    public Task<JsonObject> CallAsync(string method, JsonObject body, CancellationToken ct = default) =>
        SendAsync(method, JsonContent.Create(body), ct);

    private async Task<JsonObject> SendAsync(string method, HttpContent content, CancellationToken ct)
    {
        var token = options.Value.BotToken;
        if (string.IsNullOrEmpty(token)) throw new SlackApiException(method, "no_bot_token_configured");

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Value.ApiBaseUrl, method)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var error = $"http_{(int)response.StatusCode}";
            Log.ApiFailed(logger, method, error);
            throw new SlackApiException(method, error, SendResult.ReadRetryAfter(response));
        }
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? [];
        if (answer["ok"] is JsonValue ok && ok.TryGetValue<bool>(out var isOk) && isOk) return answer;

        var code = answer["error"]?.GetValue<string>() ?? "unknown_error";
        Log.ApiFailed(logger, method, code);
        throw new SlackApiException(method, code);
    }

    private static JsonObject MessageBody(SlackMessage message) => new()
    {
        ["text"] = message.Text,
        ["blocks"] = message.Blocks.DeepClone(),
    };
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using CrmBot.Proactive;
using Polly;

namespace CrmBot.Channels.Teams;

/// <summary>A Connector call that failed for good (after retries, or refused before sending).</summary>
public sealed class ConnectorException(string message, HttpStatusCode? statusCode = null, TimeSpan? retryAfter = null) : Exception(message)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>How long the service asked us to wait (its last answer's Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The Bot Connector REST API (the SDK's ConnectorClient.Conversations), relative to a conversation's
/// serviceUrl. Used for replies to inbound turns and by the proactive outbox sender. Each call carries the
/// bot's client-credentials token, and only to a trusted serviceUrl host. Throttling and 5xx answers are
/// retried by the resilience pipeline (see <see cref="TeamsServiceCollectionExtensions"/>).
/// </summary>
public sealed class ConnectorClient(HttpClient http, BotTokenProvider tokens, IOptions<BotOptions> options)
{
    /// <summary>POST v3/conversations/{id}/activities/{replyToId}: a reply in the thread of <paramref name="replyToId"/>.</summary>
    public Task<ResourceResponse> ReplyToActivityAsync(string serviceUrl, string conversationId, string replyToId, BotActivity activity, CancellationToken ct)
    {
        activity.ReplyToId ??= replyToId;
        return SendAsync<ResourceResponse>(HttpMethod.Post, serviceUrl, $"v3/conversations/{E(conversationId)}/activities/{E(replyToId)}", activity, ct);
    }

    /// <summary>POST v3/conversations/{id}/activities: a new message in the conversation.</summary>
    public Task<ResourceResponse> SendToConversationAsync(string serviceUrl, string conversationId, BotActivity activity, CancellationToken ct) =>
        SendAsync<ResourceResponse>(HttpMethod.Post, serviceUrl, $"v3/conversations/{E(conversationId)}/activities", activity, ct);

    /// <summary>PUT v3/conversations/{id}/activities/{activityId}: replaces a message the bot sent (a card after Done).</summary>
    public Task<ResourceResponse> UpdateActivityAsync(string serviceUrl, string conversationId, string activityId, BotActivity activity, CancellationToken ct)
    {
        activity.Id = activityId;
        return SendAsync<ResourceResponse>(HttpMethod.Put, serviceUrl, $"v3/conversations/{E(conversationId)}/activities/{E(activityId)}", activity, ct);
    }

    /// <summary>DELETE v3/conversations/{id}/activities/{activityId}.</summary>
    public Task DeleteActivityAsync(string serviceUrl, string conversationId, string activityId, CancellationToken ct) =>
        SendAsync<ResourceResponse>(HttpMethod.Delete, serviceUrl, $"v3/conversations/{E(conversationId)}/activities/{E(activityId)}", null, ct);

    /// <summary>
    /// POST v3/conversations: opens (or finds) the 1:1 chat with a user, for proactive messages.
    /// Teams needs the tenant in channelData; the answer's id is the conversation to send to.
    /// </summary>
    public Task<ConversationResourceResponse> CreateConversationAsync(string serviceUrl, ConversationParameters parameters, CancellationToken ct) =>
        SendAsync<ConversationResourceResponse>(HttpMethod.Post, serviceUrl, "v3/conversations", parameters, ct);

    /// <summary>
    /// GET v3/conversations/{id}/members/{userId}: one member of the conversation as Teams knows them, with the
    /// e-mail and UPN its activities leave out.
    /// </summary>
    public Task<TeamsChannelAccount> GetConversationMemberAsync(string serviceUrl, string conversationId, string userId, CancellationToken ct) =>
        SendAsync<TeamsChannelAccount>(HttpMethod.Get, serviceUrl, $"v3/conversations/{E(conversationId)}/members/{E(userId)}", null, ct);

    /// <summary>The parameters of a proactive 1:1 chat with <paramref name="userId"/>, as Teams expects them.</summary>
    public static ConversationParameters PersonalConversation(string botId, string userId, string tenantId) => new()
    {
        IsGroup = false,
        Bot = new ChannelAccount { Id = botId },
        Members = [new ChannelAccount { Id = userId }],
        TenantId = tenantId,
        ChannelData = new() { ["tenant"] = new System.Text.Json.Nodes.JsonObject { ["id"] = tenantId } },
    };

    private async Task<T> SendAsync<T>(HttpMethod method, string serviceUrl, string path, object? body, CancellationToken ct) where T : new()
    {
        var settings = options.Value;
        // The serviceUrl comes from an inbound activity (or a stored reference): never hand our token,
        // or the message, to a host that is not Bot Framework's.
        if (ServiceUrls.Refusal(serviceUrl, settings.TrustedServiceUrlHosts) is { } refusal)
            throw new ConnectorException(refusal);

        var baseUri = new Uri(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/");
        using var request = new HttpRequestMessage(method, new Uri(baseUri, path));
        if (body is not null)
            // Buffered string content, so the retry pipeline can resend the same bytes.
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), BotJson.Options), Encoding.UTF8, "application/json");
        var token = await tokens.GetTokenAsync(ct);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new ConnectorException($"Connector answered {(int)response.StatusCode} to {method}.", response.StatusCode,
                SendResult.ReadRetryAfter(response));
        if (response.Content.Headers.ContentLength == 0) return new T();
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(BotJson.Options, ct) ?? new T();
        }
        catch (JsonException)
        {
            return new T();   // the call succeeded; an unreadable id is not worth failing it for
        }
    }

    private static string E(string segment) => Uri.EscapeDataString(segment);

    /// <summary>
    /// When a Connector call may be retried: throttling and "try again" answers always (the service did
    /// not take the activity); a failure with no answer only for PUT/DELETE, since a POST that timed
    /// out may have been delivered and must not be posted twice.
    /// </summary>
    internal static void ConfigureRetry(HttpRetryStrategyOptions retry, TimeSpan baseDelay)
    {
        retry.MaxRetryAttempts = 4;
        retry.BackoffType = DelayBackoffType.Exponential;
        retry.UseJitter = true;
        retry.Delay = baseDelay;
        retry.MaxDelay = TimeSpan.FromSeconds(60);
        retry.ShouldRetryAfterHeader = true;
        retry.ShouldHandle = args =>
        {
            if (args.Outcome.Result is { } response)
                return ValueTask.FromResult(response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.PreconditionFailed
                    or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout);
            var method = args.Context.GetRequestMessage()?.Method;
            return ValueTask.FromResult(args.Outcome.Exception is HttpRequestException
                                        && (method == HttpMethod.Put || method == HttpMethod.Delete));
        };
    }
}

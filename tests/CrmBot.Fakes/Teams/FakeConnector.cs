using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CrmBot.Fakes.Teams;

/// <summary>One call the Connector received (and accepted, unless <see cref="Status"/> says otherwise).</summary>
public sealed record ConnectorRequest(
    string Method, string Path, string? ConversationId, string? ActivityId, JsonObject? Body, int Status)
{
    /// <summary>The first Adaptive Card attachment's content, if any.</summary>
    public JsonObject? Card => Body?["attachments"]?.AsArray()
        .FirstOrDefault(a => a?["contentType"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive")?["content"] as JsonObject;
}

/// <summary>
/// Loopback stand-in for the Bot Connector service (the activity's serviceUrl). Checks the bearer token
/// against the issuer (when given one) and the body's shape, records every call, and can be told to fail
/// the next calls with 503 or 429 + Retry-After, as the real service does under load. It also answers the
/// conversation members API for the members it is given (<see cref="AddMember"/>).
/// </summary>
public sealed class FakeConnector : LoopbackServer
{
    private readonly BotFrameworkTokenIssuer? _issuer;
    private readonly ConcurrentQueue<ConnectorRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter)> _failures = new();
    private readonly SemaphoreSlim _received = new(0);
    private readonly AnswerGate _answers = new();
    private readonly ConcurrentDictionary<string, JsonObject> _members = new();
    private readonly ConcurrentQueue<int> _memberFailures = new();
    private readonly ConcurrentQueue<ConnectorRequest> _memberLookups = new();
    private int _ids;

    private FakeConnector(BotFrameworkTokenIssuer? issuer) => _issuer = issuer;

    /// <summary>With an issuer, every call must carry a token it issued; without, tokens are not checked.</summary>
    public static async Task<FakeConnector> StartAsync(BotFrameworkTokenIssuer? issuer, CancellationToken ct = default)
    {
        var connector = new FakeConnector(issuer);
        await connector.StartServerAsync(ct);
        return connector;
    }

    /// <summary>The serviceUrl to put in activities (with its trailing slash, as Teams sends it).</summary>
    public string ServiceUrl => BaseUrl + "/";
    /// <summary>The host:port to trust (Bot:TrustedServiceUrlHosts).</summary>
    public string HostAndPort => new Uri(BaseUrl).Authority;

    public IReadOnlyList<ConnectorRequest> Requests => _requests.ToArray();

    /// <summary>Raised for every call as it is recorded (the bench load tool times replies with it).</summary>
    public event Action<ConnectorRequest>? Received;

    /// <summary>False: calls are only raised through <see cref="Received"/>, not kept (long load runs).</summary>
    public bool KeepRequests { get; set; } = true;
    /// <summary>Calls that were accepted (2xx).</summary>
    public IReadOnlyList<ConnectorRequest> Accepted => _requests.Where(r => r.Status is >= 200 and < 300).ToArray();

    /// <summary>The next <paramref name="count"/> calls fail with <paramref name="status"/> (and Retry-After, if given).</summary>
    public void FailNext(int count, int status = StatusCodes.Status503ServiceUnavailable, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++) _failures.Enqueue((status, retryAfter));
    }

    /// <summary>
    /// The next <paramref name="count"/> calls are read and then dropped without an answer (connection
    /// aborted): the caller cannot tell whether they were delivered. Recorded with status 0.
    /// </summary>
    public void DropNext(int count)
    {
        for (var i = 0; i < count; i++) _failures.Enqueue((0, null));
    }

    /// <summary>
    /// From now on, calls are recorded as they arrive but answered only at <see cref="ReleaseAnswers"/>: a
    /// Connector that is slow to answer, as the real one is over the Internet.
    /// </summary>
    public void HoldAnswers() => _answers.Hold();

    /// <summary>Answers every held call, and answers at once again.</summary>
    public void ReleaseAnswers() => _answers.Release();

    /// <summary>
    /// A member the conversation members API knows (any conversation), with the e-mail and UPN Teams' activities
    /// leave out; others get a 404 as from the real service.
    /// </summary>
    public void AddMember(string userId, string? email, string? userPrincipalName = null, string? aadObjectId = null) =>
        _members[userId] = new JsonObject
        {
            ["id"] = userId, ["name"] = userId, ["aadObjectId"] = aadObjectId, ["email"] = email,
            ["userPrincipalName"] = userPrincipalName ?? email, ["userRole"] = "user",
        };

    /// <summary>The next <paramref name="count"/> member look-ups fail with <paramref name="status"/> (other calls are not affected).</summary>
    public void FailMemberLookups(int count, int status)
    {
        for (var i = 0; i < count; i++) _memberFailures.Enqueue(status);
    }

    /// <summary>
    /// Every GET of a conversation member, with the status it was answered with. Kept apart from
    /// <see cref="Requests"/>, which are the messages the bot sent.
    /// </summary>
    public IReadOnlyList<ConnectorRequest> MemberLookups => _memberLookups.ToArray();

    public void Clear()
    {
        _requests.Clear();
        _failures.Clear();
    }

    /// <summary>
    /// Waits until the accepted calls satisfy <paramref name="condition"/> (default 30 s: generous, since
    /// it only bounds a failure, and a full test run shares two cores); throws TimeoutException otherwise.
    /// </summary>
    public async Task<IReadOnlyList<ConnectorRequest>> WaitForAsync(Func<IReadOnlyList<ConnectorRequest>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var accepted = Accepted;
            if (condition(accepted)) return accepted;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"Connector received {accepted.Count} call(s), not what was expected.");
            await _received.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v3/conversations", (HttpRequest r) => HandleAsync(r, null, null, createConversation: true));
        app.MapPost("/v3/conversations/{conversationId}/activities", (HttpRequest r, string conversationId) => HandleAsync(r, conversationId, null));
        app.MapPost("/v3/conversations/{conversationId}/activities/{activityId}", (HttpRequest r, string conversationId, string activityId) => HandleAsync(r, conversationId, activityId));
        app.MapPut("/v3/conversations/{conversationId}/activities/{activityId}", (HttpRequest r, string conversationId, string activityId) => HandleAsync(r, conversationId, activityId));
        app.MapDelete("/v3/conversations/{conversationId}/activities/{activityId}", (HttpRequest r, string conversationId, string activityId) => HandleAsync(r, conversationId, activityId));
        app.MapGet("/v3/conversations/{conversationId}/members/{userId}", (HttpRequest r, string conversationId, string userId) => MemberAsync(r, conversationId, userId));
    }

    private async Task<IResult> MemberAsync(HttpRequest request, string conversationId, string userId)
    {
        var status = !await IsAuthorizedAsync(request) ? StatusCodes.Status401Unauthorized
            : _memberFailures.TryDequeue(out var failure) ? failure
            : _members.ContainsKey(userId) ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        _memberLookups.Enqueue(new ConnectorRequest(request.Method, request.Path, conversationId, null, null, status));
        return status switch
        {
            StatusCodes.Status200OK => Results.Json(_members[userId]),
            StatusCodes.Status404NotFound => Results.Json(Error("MemberNotFoundInConversation", "The member was not found in the conversation."), statusCode: 404),
            _ => Results.Json(Error("ServiceError", "Failed."), statusCode: status),
        };
    }

    private async Task<IResult> HandleAsync(HttpRequest request, string? conversationId, string? activityId, bool createConversation = false)
    {
        JsonObject? body = null;
        if (request.Method != HttpMethods.Delete)
        {
            try
            {
                body = await JsonNode.ParseAsync(request.Body) as JsonObject;
            }
            catch (JsonException)
            {
            }
        }

        IResult Record(int status, IResult result)
        {
            var call = new ConnectorRequest(request.Method, request.Path, conversationId, activityId, body, status);
            if (KeepRequests)
            {
                _requests.Enqueue(call);
                _received.Release();
            }
            Received?.Invoke(call);
            return result;
        }

        if (!await IsAuthorizedAsync(request))
            return Record(StatusCodes.Status401Unauthorized, Results.Json(Error("Unauthorized", "Authorization has been denied for this request."), statusCode: 401));
        if (_failures.TryDequeue(out var failure))
        {
            if (failure.Status == 0)
            {
                // Recorded before the abort: the caller sees the dropped connection at once and may look
                // at the recorded calls before this handler runs another line.
                var dropped = Record(0, Results.Empty);
                request.HttpContext.Abort();
                return dropped;
            }
            if (failure.RetryAfter is { } after)
                request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString();
            return Record(failure.Status, Results.Json(Error("Throttled", "Try again later."), statusCode: failure.Status));
        }
        var shapeError = createConversation ? CheckConversationParameters(body) : request.Method == HttpMethods.Delete ? null : CheckActivity(body);
        if (shapeError is not null)
            return Record(StatusCodes.Status400BadRequest, Results.Json(Error("BadArgument", shapeError), statusCode: 400));

        var id = Interlocked.Increment(ref _ids);
        var answer = createConversation
            ? Record(200, Results.Json(new { id = $"a:fake-conversation-{id}", activityId = $"fake-activity-{id}" }))
            : Record(200, Results.Json(new { id = request.Method == HttpMethods.Put ? activityId : $"fake-activity-{id}" }));
        await _answers.WaitAsync();
        return answer;
    }

    private async Task<bool> IsAuthorizedAsync(HttpRequest request)
    {
        if (_issuer is null) return true;
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && await _issuer.IsValidOutboundTokenAsync(header["Bearer ".Length..]);
    }

    private static string? CheckActivity(JsonObject? body)
    {
        if (body is null) return "Body must be an activity object.";
        if (body["type"]?.GetValue<string>() is not { Length: > 0 }) return "Activity type is required.";
        foreach (var attachment in body["attachments"]?.AsArray() ?? [])
        {
            if (attachment?["contentType"]?.GetValue<string>() is not { Length: > 0 }) return "Attachment contentType is required.";
            if (attachment["contentType"]!.GetValue<string>() == "application/vnd.microsoft.card.adaptive"
                && attachment["content"]?["type"]?.GetValue<string>() != "AdaptiveCard")
                return "Adaptive Card attachment content must be an AdaptiveCard.";
        }
        return null;
    }

    private static string? CheckConversationParameters(JsonObject? body)
    {
        if (body is null) return "Body must be a ConversationParameters object.";
        if (body["bot"]?["id"] is null) return "bot.id is required.";
        if (body["members"] is not JsonArray { Count: 1 }) return "Exactly one member is required for a 1:1 conversation.";
        if (body["channelData"]?["tenant"]?["id"] is null && body["tenantId"] is null) return "Teams needs the tenant id.";
        return null;
    }

    private static object Error(string code, string message) => new { error = new { code, message } };
}

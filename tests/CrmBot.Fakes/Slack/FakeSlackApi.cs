using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.Fakes.Slack;

/// <summary>One request the fake received. <see cref="Method"/> is the Web API method, or "response_url".</summary>
public sealed record SlackCall(string Method, JsonObject Body, string? Authorization, string Path, bool Accepted, string? Error);

/// <summary>
/// A loopback stand-in for Slack's Web API (and for response_url hooks), on 127.0.0.1 and a free port.
/// Like Slack it answers HTTP 200 with {"ok":false,"error":…} for a bad token or bad arguments, checks
/// the Block Kit it is sent (<see cref="BlockKitRules"/>), and can be told to fail with 429/503.
/// Every request is recorded. Usable from xUnit and from the bench load tool alike.
/// </summary>
public sealed class FakeSlackApi : IAsyncDisposable
{
    public const string DefaultToken = "xoxb-fake-bot-token";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SlackCall> _calls = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(HttpStatusCode Status, int RetryAfter)>> _failures = new();
    private readonly ConcurrentDictionary<string, JsonObject> _users = new();
    private readonly SemaphoreSlim _signal = new(0);
    private long _ts = 1_795_363_800_000_000;
    private int _views;
    private readonly AnswerGate _answers = new();

    public string BotToken { get; }
    public Uri BaseUrl { get; private set; } = null!;
    /// <summary>Slack:ApiBaseUrl for the app under test.</summary>
    public Uri ApiBaseUrl => new(BaseUrl, "api/");

    private FakeSlackApi(string botToken)
    {
        BotToken = botToken;
        _app = Teams.LoopbackServer.NewBuilder().Build();
        _app.MapPost("/api/{method}", ApiAsync);
        _app.MapPost("/response/{*rest}", (Delegate)ResponseUrlAsync);
    }

    public static async Task<FakeSlackApi> StartAsync(string botToken = DefaultToken, CancellationToken ct = default)
    {
        var fake = new FakeSlackApi(botToken);
        await fake._app.StartAsync(ct);
        var address = fake._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>A response_url this fake accepts (as Slack's hooks.slack.com would).</summary>
    public string ResponseUrl(string name) => new Uri(BaseUrl, $"response/{name}").ToString();

    public IReadOnlyList<SlackCall> Calls => _calls.ToArray();

    /// <summary>Raised for every call as it is recorded (the bench load tool times replies with it).</summary>
    public event Action<SlackCall>? Received;

    /// <summary>False: calls are only raised through <see cref="Received"/>, not kept (long load runs).</summary>
    public bool KeepCalls { get; set; } = true;

    /// <summary>Forgets the calls recorded so far and any failures still planned (between tests sharing a fake).</summary>
    public void Clear()
    {
        _calls.Clear();
        _failures.Clear();
    }

    public IReadOnlyList<SlackCall> CallsTo(string method) => _calls.Where(c => c.Method == method).ToArray();

    /// <summary>The next <paramref name="times"/> calls to <paramref name="method"/> get <paramref name="status"/> (with Retry-After on 429).</summary>
    public void FailNext(string method, int times, HttpStatusCode status, int retryAfterSeconds = 0)
    {
        var q = _failures.GetOrAdd(method, _ => new());
        for (var i = 0; i < times; i++) q.Enqueue((status, retryAfterSeconds));
    }

    /// <summary>What users.info answers for <paramref name="userId"/> (unknown users get user_not_found).</summary>
    public void AddUser(string userId, string name, string? timeZone = null, string? email = null)
    {
        _users[userId] = new JsonObject
        {
            ["id"] = userId,
            ["name"] = name,
            ["real_name"] = name,
            ["tz"] = timeZone,
            ["is_bot"] = false,
            ["profile"] = new JsonObject { ["real_name"] = name, ["display_name"] = name, ["email"] = email },
        };
    }

    /// <summary>
    /// From now on, accepted Web API calls that send (all but users.info) are recorded as they arrive but answered
    /// only at <see cref="ReleaseAnswers"/>: a Slack that is slow to answer.
    /// </summary>
    public void HoldAnswers() => _answers.Hold();

    /// <summary>Answers every held call, and answers at once again.</summary>
    public void ReleaseAnswers() => _answers.Release();

    /// <summary>Waits until a recorded call matches (calls recorded before the wait count too).</summary>
    public async Task<SlackCall> WaitForAsync(Func<SlackCall, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = _calls.FirstOrDefault(match);
            if (found is not null) return found;
            try { await _signal.WaitAsync(TimeSpan.FromMilliseconds(50), cts.Token); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No matching Slack call. Received: " +
                    string.Join("; ", _calls.Select(c => $"{c.Method} {(c.Accepted ? "ok" : c.Error)}")));
            }
        }
    }

    public Task<SlackCall> WaitForAsync(string method, TimeSpan? timeout = null) => WaitForAsync(c => c.Method == method && c.Accepted, timeout);

    private async Task<IResult> ApiAsync(HttpContext http, string method)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        JsonObject body;
        var form = http.Request.HasFormContentType;
        if (form)
        {
            var f = await http.Request.ReadFormAsync();
            body = new JsonObject(f.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value.ToString())));
        }
        else
        {
            try { body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? []; }
            catch (System.Text.Json.JsonException) { return Record(method, [], auth, http, "invalid_json"); }
        }

        if (_failures.TryGetValue(method, out var q) && q.TryDequeue(out var failure))
        {
            Record(method, body, auth, http, $"http_{(int)failure.Status}");
            if (failure.Status == HttpStatusCode.TooManyRequests) http.Response.Headers.RetryAfter = failure.RetryAfter.ToString();
            return Results.StatusCode((int)failure.Status);
        }
        if (string.IsNullOrEmpty(auth)) return Record(method, body, auth, http, "not_authed");
        if (auth != "Bearer " + BotToken) return Record(method, body, auth, http, "invalid_auth");

        var readMethod = method is "users.info";
        if (readMethod != form) return Record(method, body, auth, http, "invalid_form_data");

        string? S(string key) => body[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        List<string> problems = [];
        JsonObject answer = new() { ["ok"] = true };
        switch (method)
        {
            case "chat.postMessage" or "chat.update" or "chat.postEphemeral":
                if (S("channel") is null) return Record(method, body, auth, http, "channel_not_found");
                if (method == "chat.update" && S("ts") is null) return Record(method, body, auth, http, "message_not_found");
                if (method == "chat.postEphemeral" && S("user") is null) return Record(method, body, auth, http, "user_not_in_channel");
                problems = BlockKitRules.CheckMessage(body);
                answer["channel"] = S("channel");
                answer["ts"] = method == "chat.update" ? S("ts") : NextTs();
                break;
            case "views.open" or "views.update":
                if (method == "views.open" && S("trigger_id") is null) return Record(method, body, auth, http, "invalid_trigger_id");
                if (method == "views.update" && S("view_id") is null && S("external_id") is null) return Record(method, body, auth, http, "not_found");
                if (body["view"] is not JsonObject view) return Record(method, body, auth, http, "invalid_arguments");
                problems = BlockKitRules.CheckView(view);
                var echoed = (JsonObject)view.DeepClone();
                echoed["id"] = S("view_id") ?? $"V{Interlocked.Increment(ref _views):D6}";
                answer["view"] = echoed;
                break;
            case "conversations.open":
                if (S("users") is not { } users) return Record(method, body, auth, http, "users_list_not_supplied");
                answer["channel"] = new JsonObject { ["id"] = "D" + users.Split(',')[0].TrimStart('U') };
                break;
            case "users.info":
                if (S("user") is not { } user || !_users.TryGetValue(user, out var info)) return Record(method, body, auth, http, "user_not_found");
                answer["user"] = info.DeepClone();
                break;
            default:
                return Record(method, body, auth, http, "unknown_method");
        }
        if (problems.Count > 0) return Record(method, body, auth, http, "invalid_blocks: " + string.Join("; ", problems));
        Record(method, body, auth, http, null);
        if (!readMethod) await _answers.WaitAsync();
        return Results.Json(answer);
    }

    private async Task<IResult> ResponseUrlAsync(HttpContext http)
    {
        if (_failures.TryGetValue("response_url", out var q) && q.TryDequeue(out var failure))
        {
            Record("response_url", [], null, http, $"http_{(int)failure.Status}");
            return Results.StatusCode((int)failure.Status);
        }
        JsonObject body;
        try { body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? []; }
        catch (System.Text.Json.JsonException) { Record("response_url", [], null, http, "invalid_json"); return Results.BadRequest("invalid_payload"); }
        var problems = BlockKitRules.CheckMessage(body);
        if (problems.Count > 0)
        {
            Record("response_url", body, null, http, "invalid_blocks: " + string.Join("; ", problems));
            return Results.BadRequest("invalid_blocks");
        }
        Record("response_url", body, null, http, null);
        return Results.Text("ok");
    }

    private IResult Record(string method, JsonObject body, string? auth, HttpContext http, string? error)
    {
        var call = new SlackCall(method, body, auth, http.Request.Path, error is null, error);
        if (KeepCalls)
        {
            _calls.Enqueue(call);
            _signal.Release();
        }
        Received?.Invoke(call);
        return Results.Json(new JsonObject { ["ok"] = false, ["error"] = error });
    }

    private string NextTs()
    {
        var n = Interlocked.Increment(ref _ts);
        return $"{n / 1_000_000}.{n % 1_000_000:D6}";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _signal.Dispose();
    }
}

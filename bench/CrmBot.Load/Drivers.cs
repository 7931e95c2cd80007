using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Fakes.Slack;
using CrmBot.Fakes.Teams;
using CrmBot.Bench.Shared;

namespace CrmBot.Load;

/// <summary>One turn as the load tool saw it. Times in ms from sending; <see cref="ReplyMs"/> null when no reply came.</summary>
internal sealed record TurnResult(int Status, double AckMs, double? ReplyMs, bool ReplyRejected = false);

/// <summary>A chat channel as the load tool drives it: the fakes of its platform, how to send a turn, how its reply is seen.</summary>
internal interface ITurnDriver : IAsyncDisposable
{
    string Channel { get; }
    /// <summary>The service's configuration pointing it at the fakes.</summary>
    IReadOnlyDictionary<string, string> ServiceSettings { get; }
    /// <summary>Sends one message in a conversation of its own; completes when the reply arrived at the fake (or timed out).</summary>
    Task<TurnResult> SendAsync(string serviceUrl, BenchUser user, string text, CancellationToken ct);

    /// <summary>The text of the latest reply seen, so a run shows what the service actually answered.</summary>
    string? LastReply { get; }
}

internal static class Http
{
    /// <summary>Keep-alive connections, at most one per worker, no proxy: what a platform's front door does.</summary>
    public static HttpClient Create(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(1, connections),
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// Teams: signed message activities to POST /api/messages, a personal conversation each, replies seen at the
/// fake Connector. The bot's token checks run for real: the issuer fake publishes the keys and signs the channel
/// token (one token, reused as Bot Framework reuses its tokens), and issues the bot's own Connector token.
/// </summary>
internal sealed class TeamsDriver : ITurnDriver
{
    public const string AppId = "00000000-0000-0000-0000-00000000b0b0";
    // Not a secret: the loopback issuer accepts exactly this.
    private const string AppPassword = "bench-app-password";

    private readonly BotFrameworkTokenIssuer _issuer;
    private readonly FakeConnector _connector;
    private readonly HttpClient _http;
    private readonly string _token;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(long At, bool Accepted)>> _pending = new();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    private long _sequence;

    private TeamsDriver(BotFrameworkTokenIssuer issuer, FakeConnector connector, int connections)
    {
        _issuer = issuer;
        _connector = connector;
        _http = Http.Create(connections);
        _token = issuer.CreateChannelToken(new ChannelToken { ServiceUrl = connector.ServiceUrl });
        _connector.KeepRequests = false;
        _connector.Received += OnReceived;
        ServiceSettings = new Dictionary<string, string>
        {
            ["Bot:MicrosoftAppId"] = AppId,
            ["Bot:MicrosoftAppPassword"] = AppPassword,
            ["Bot:MicrosoftAppTenantId"] = issuer.TenantId,
            ["Bot:OpenIdMetadataUrl"] = issuer.MetadataUrl,
            ["Bot:TokenEndpoint"] = issuer.TokenEndpoint,
            ["Bot:TrustedServiceUrlHosts:0"] = connector.HostAndPort,
        };
    }

    public static async Task<TeamsDriver> StartAsync(string tenantId, int connections)
    {
        var issuer = await BotFrameworkTokenIssuer.StartAsync(AppId, AppPassword, tenantId);
        var connector = await FakeConnector.StartAsync(issuer);
        return new TeamsDriver(issuer, connector, connections);
    }

    public string Channel => "msteams";
    public string? LastReply { get; private set; }
    public IReadOnlyDictionary<string, string> ServiceSettings { get; }

    public async Task<TurnResult> SendAsync(string serviceUrl, BenchUser user, string text, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _sequence);
        var conversation = $"a:bench-{_tag}-{n}";
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = $"1{n:D12}",
            ["timestamp"] = DateTime.UtcNow.ToString("O"),
            ["localTimezone"] = user.TimeZone,
            ["serviceUrl"] = _connector.ServiceUrl,
            ["channelId"] = "msteams",
            ["from"] = new JsonObject { ["id"] = user.UserId, ["name"] = user.DisplayName },
            ["conversation"] = new JsonObject { ["conversationType"] = "personal", ["tenantId"] = user.TenantId, ["id"] = conversation },
            ["recipient"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "CrmBot" },
            ["textFormat"] = "plain",
            ["locale"] = "en-US",
            ["text"] = text,
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = user.TenantId } },
        };
        var reply = new TaskCompletionSource<(long, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[conversation] = reply;
        using var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl + "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return await Drivers.CompleteAsync(_http, request, reply, () => _pending.TryRemove(conversation, out _), ct);
    }

    private void OnReceived(ConnectorRequest call)
    {
        if (call.ConversationId is { } id && _pending.TryRemove(id, out var reply))
        {
            reply.TrySetResult((Stopwatch.GetTimestamp(), call.Status is >= 200 and < 300));
            LastReply = call.Body?["text"]?.ToString() ?? call.Body?["summary"]?.ToString() ?? (call.Card is not null ? "(card)" : null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _connector.DisposeAsync();
        await _issuer.DisposeAsync();
    }
}

/// <summary>
/// Slack: signed slash commands to POST /slack/commands (the ack is the HTTP answer), each with its own
/// response_url on the Web API fake, where the reply is seen. users.info is answered by the fake for every user.
/// </summary>
internal sealed class SlackDriver : ITurnDriver
{
    // Not a secret: a value both sides of this loopback run share.
    private const string SigningSecret = "bench-signing-secret";

    private readonly FakeSlackApi _api;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(long At, bool Accepted)>> _pending = new();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    private long _sequence;

    private SlackDriver(FakeSlackApi api, int connections)
    {
        _api = api;
        _http = Http.Create(connections);
        _api.KeepCalls = false;
        _api.Received += OnReceived;
        ServiceSettings = new Dictionary<string, string>
        {
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:BotToken"] = api.BotToken,
            ["Slack:ApiBaseUrl"] = api.ApiBaseUrl.ToString(),
        };
    }

    public static async Task<SlackDriver> StartAsync(IEnumerable<BenchUser> users, int connections)
    {
        var api = await FakeSlackApi.StartAsync();
        foreach (var u in users) api.AddUser(u.UserId, u.DisplayName, u.TimeZone, $"member{u.MemberId}@bench.example");
        return new SlackDriver(api, connections);
    }

    public string Channel => "slack";
    public string? LastReply { get; private set; }
    public IReadOnlyDictionary<string, string> ServiceSettings { get; }

    public async Task<TurnResult> SendAsync(string serviceUrl, BenchUser user, string text, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _sequence);
        var key = $"bench/{_tag}/{n}";
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = "deprecated-verification-token",
            ["team_id"] = user.TenantId,
            ["team_domain"] = "bench",
            ["channel_id"] = "D" + user.UserId.TrimStart('U'),
            ["channel_name"] = "directmessage",
            ["user_id"] = user.UserId,
            ["user_name"] = user.DisplayName,
            ["command"] = "/crm",
            ["text"] = text,
            ["api_app_id"] = "ABENCH",
            ["is_enterprise_install"] = "false",
            ["response_url"] = _api.ResponseUrl(key),
            ["trigger_id"] = $"{n}.{user.MemberId}.{_tag}",
        });
        var body = await form.ReadAsByteArrayAsync(ct);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var reply = new TaskCompletionSource<(long, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending["/response/" + key] = reply;
        using var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl + "/slack/commands") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", Sign(timestamp, body));
        return await Drivers.CompleteAsync(_http, request, reply, () => _pending.TryRemove("/response/" + key, out _), ct);
    }

    /// <summary>Slack's v0 signature: HMAC-SHA256 over "v0:{timestamp}:{body}" with the signing secret.</summary>
    private static string Sign(string timestamp, byte[] body)
    {
        var basestring = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), basestring));
    }

    private void OnReceived(SlackCall call)
    {
        if (call.Method == "response_url" && _pending.TryRemove(call.Path, out var reply))
        {
            reply.TrySetResult((Stopwatch.GetTimestamp(), call.Accepted));
            LastReply = call.Body["text"]?.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }
}

internal static class Drivers
{
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Sends, times the HTTP answer (the ack), then waits for the reply at the fake.</summary>
    public static async Task<TurnResult> CompleteAsync(HttpClient http, HttpRequestMessage request,
        TaskCompletionSource<(long At, bool Accepted)> reply, Action forget, CancellationToken ct)
    {
        var sent = Stopwatch.GetTimestamp();
        int status;
        try
        {
            using var response = await http.SendAsync(request, ct);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            forget();
            return new TurnResult(0, Http.Ms(sent, Stopwatch.GetTimestamp()), null);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            forget();
            return new TurnResult(-1, Http.Ms(sent, Stopwatch.GetTimestamp()), null);
        }
        var ack = Http.Ms(sent, Stopwatch.GetTimestamp());
        if (status is < 200 or >= 300)
        {
            forget();
            return new TurnResult(status, ack, null);
        }
        try
        {
            var (at, accepted) = await reply.Task.WaitAsync(ReplyTimeout, ct);
            return new TurnResult(status, ack, Http.Ms(sent, at), !accepted);
        }
        catch (TimeoutException)
        {
            forget();
            return new TurnResult(status, ack, null);
        }
    }
}

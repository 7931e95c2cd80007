using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Conversations;
using CrmBot.Fakes.Slack;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>
/// The real app wired to a loopback fake of Slack's Web API, and a client that signs every request
/// the way Slack does. Shared by the tests of a class (IClassFixture) to keep the suite fast.
/// </summary>
public class SlackHost : IAsyncLifetime
{
    /// <summary>A made-up secret for tests only.</summary>
    public const string SigningSecret = "test-signing-secret-0123456789abcdef";
    public const string TeamId = "T0EXAMPLE";
    public const string UserId = "UB301F2990F";
    public const string BotUserId = "U0CRMBOT";

    public FakeSlackApi Slack { get; private set; } = null!;
    public CrmBotFactory Factory { get; private set; } = null!;
    public WebApplicationFactory<Program> App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Real time, plus whatever a test advances it by; Slack's signatures are made with it too.</summary>
    public ShiftedClock Clock { get; } = new();

    /// <summary>Replaces the engine for protocol tests; null keeps the real one.</summary>
    protected virtual IBot? TestBot => null;

    protected virtual void Configure(CrmBotFactory factory) { }

    protected virtual void ConfigureServices(IServiceCollection services) { }

    public async Task InitializeAsync()
    {
        Slack = await FakeSlackApi.StartAsync();
        Slack.AddUser(UserId, "Megan Bowen", "Europe/Berlin", "megan@example.com");
        Factory = new CrmBotFactory()
            .With("Slack:SigningSecret", SigningSecret)
            .With("Slack:BotToken", Slack.BotToken)
            .With("Slack:ApiBaseUrl", Slack.ApiBaseUrl.ToString())
            .With("Slack:RetryDelay", "00:00:00.010")
            .With("Slack:SubmissionTimeout", "00:00:01")
            // One worker: work is done in arrival order, so "the reply to a later request has come"
            // proves the earlier ones were handled.
            .With("Slack:Workers", "1");
        Configure(Factory);
        App = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            if (TestBot is { } bot) services.AddSingleton(bot);
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices(services);
        }));
        Client = App.CreateDefaultClient(new SlackSigningHandler(SigningSecret, Clock));
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Factory.DisposeAsync();
        await Slack.DisposeAsync();
    }

    public T Scoped<T>(Func<IServiceProvider, T> use)
    {
        using var scope = App.Services.CreateScope();
        return use(scope.ServiceProvider);
    }

    public static JsonObject Sample(string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Channels", "Slack", "Samples", name)))!;

    /// <summary>An event envelope like Slack's, with a fresh event id.</summary>
    public static JsonObject Event(JsonObject ev, string? eventId = null)
    {
        var envelope = Sample("event-app-mention.json");
        ev["ts"] ??= "1795363768.590940";
        envelope["event"] = ev;
        envelope["event_id"] = eventId ?? "Ev" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        return envelope;
    }

    public static JsonObject DirectMessage(string text, string user = UserId, string channel = "D0DM00001") => new()
    {
        ["type"] = "message",
        ["channel_type"] = "im",
        ["user"] = user,
        ["text"] = text,
        ["channel"] = channel,
        ["team"] = TeamId,
    };

    public Task<HttpResponseMessage> PostEventAsync(JsonObject envelope, string? retryNum = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/slack/events")
        {
            Content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (retryNum is not null)
        {
            request.Headers.Add("X-Slack-Retry-Num", retryNum);
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }
        return Client.SendAsync(request);
    }

    /// <summary>/crm with <paramref name="text"/>, as Slack posts it (form-encoded, response_url pointing at the fake).</summary>
    public Task<HttpResponseMessage> PostCommandAsync(string text, string responseUrlName, string? triggerId = null, string channel = "C7473C21AFD") =>
        PostCommandAsync(Client, Slack, text, responseUrlName, triggerId, channel);

    /// <summary>The same through any host's signing <paramref name="client"/>, the response_url pointing at <paramref name="slack"/>.</summary>
    public static Task<HttpResponseMessage> PostCommandAsync(HttpClient client, FakeSlackApi slack, string text, string responseUrlName,
        string? triggerId = null, string channel = "C7473C21AFD") =>
        client.PostAsync("/slack/commands", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = "deprecated-verification-token",
            ["team_id"] = TeamId,
            ["team_domain"] = "example",
            ["channel_id"] = channel,
            ["channel_name"] = "sales",
            ["user_id"] = UserId,
            ["user_name"] = "megan.bowen",
            ["command"] = "/crm",
            ["text"] = text,
            ["api_app_id"] = "A0EXAMPLE",
            ["response_url"] = slack.ResponseUrl(responseUrlName),
            ["trigger_id"] = triggerId ?? "trg." + Guid.NewGuid().ToString("N"),
        }));

    public Task<HttpResponseMessage> PostInteractionAsync(JsonObject payload) =>
        Client.PostAsync("/slack/interactions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["payload"] = payload.ToJsonString(),
        }));

    /// <summary>A click on <paramref name="button"/> (a Block Kit button element we sent) in a message.</summary>
    public JsonObject BlockAction(JsonObject button, string channel, string messageTs, bool ephemeral, string responseUrlName)
    {
        var payload = Sample("block-actions.json");
        payload["container"] = new JsonObject
        {
            ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channel, ["is_ephemeral"] = ephemeral,
        };
        payload["channel"] = new JsonObject { ["id"] = channel, ["name"] = "sales" };
        payload["message"]!["ts"] = messageTs;
        payload["trigger_id"] = "trg." + Guid.NewGuid().ToString("N");
        payload["response_url"] = Slack.ResponseUrl(responseUrlName);
        var action = (JsonObject)button.DeepClone();
        action["block_id"] = "b1";
        action["action_ts"] = "1795363768.591600";
        payload["actions"] = new JsonArray(action);
        return payload;
    }

    /// <summary>A view_submission of <paramref name="view"/> (as we opened it) with <paramref name="values"/> per input block.</summary>
    public static JsonObject ViewSubmission(JsonObject view, JsonObject values)
    {
        var submitted = (JsonObject)view.DeepClone();
        submitted["id"] ??= "V000001";
        submitted["state"] = new JsonObject { ["values"] = values };
        return new JsonObject
        {
            ["type"] = "view_submission",
            ["team"] = new JsonObject { ["id"] = TeamId, ["domain"] = "example" },
            ["user"] = new JsonObject { ["id"] = UserId, ["team_id"] = TeamId },
            ["api_app_id"] = "A0EXAMPLE",
            ["trigger_id"] = "trg." + Guid.NewGuid().ToString("N"),
            ["view"] = submitted,
        };
    }

    /// <summary>Every button in a message's or view's blocks (section accessories included).</summary>
    public static IEnumerable<JsonObject> Buttons(JsonNode? blocks) =>
        (blocks as JsonArray ?? []).OfType<JsonObject>().SelectMany(b =>
            (b["elements"] as JsonArray ?? []).OfType<JsonObject>()
                .Concat(b["accessory"] is JsonObject a ? [a] : Array.Empty<JsonObject>()))
            .Where(e => e["type"]?.GetValue<string>() == "button");
}

/// <summary>Signs each request as Slack does (v0 HMAC-SHA256 over "v0:{ts}:{body}"), with the current time.</summary>
public sealed class SlackSigningHandler(string secret, TimeProvider? clock = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.Content is not null && !request.Headers.Contains(SlackSignature.SignatureHeader))
        {
            var body = await request.Content.ReadAsByteArrayAsync(ct);
            var ts = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            request.Headers.Add(SlackSignature.TimestampHeader, ts);
            request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Sign(secret, ts, body));
        }
        return await base.SendAsync(request, ct);
    }
}

/// <summary>
/// Stands in for the engine in protocol tests: records turns, answers with what the test says,
/// and can hold a turn until released (to show the ack does not wait for the work).
/// </summary>
public sealed class RecordingBot : IBot
{
    private readonly List<Turn> _turns = [];
    public Func<Turn, IReadOnlyList<Reply>> Answer { get; set; } = t => [new TextReply($"echo: {t.Text}")];
    public TaskCompletionSource? Gate { get; set; }

    public IReadOnlyList<Turn> Turns { get { lock (_turns) return _turns.ToList(); } }

    public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
    {
        lock (_turns) _turns.Add(turn);
        if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
        return Answer(turn);
    }

    public void Reset()
    {
        lock (_turns) _turns.Clear();
        Answer = t => [new TextReply($"echo: {t.Text}")];
        Gate = null;
    }
}

/// <summary>The system clock moved forward by <see cref="Advance"/> (timers stay real).</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));
}

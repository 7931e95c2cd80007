using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Fakes.Teams;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// The service configured as an Azure Bot registration would configure it, pointed at a loopback token
/// issuer and Connector. One per test class (xUnit class fixture): the fakes and the app start once.
/// </summary>
public class TeamsHost : IAsyncLifetime
{
    public const string AppId = "00000000-0000-0000-0000-0000000000b0";
    public const string BotId = "28:" + AppId;
    // A test secret, only ever sent to the loopback issuer.
    private const string AppPassword = "loopback-test-secret";

    private TeamsFactory? _factory;

    public BotFrameworkTokenIssuer Issuer { get; private set; } = null!;
    public FakeConnector Connector { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;
    public CrmBotFactory Factory => _factory!;

    /// <summary>Replaces the engine with a test bot; null keeps the real engine.</summary>
    protected virtual IBot? TestBot => null;

    /// <summary>Service overrides for a class that needs them (after the app's own registrations).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>False for a bot with no app id: it sends no token, so the Connector must not ask for one.</summary>
    protected virtual bool ConnectorChecksTokens => true;

    /// <summary>Extra settings for a class that needs them.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public async Task InitializeAsync()
    {
        Issuer = await BotFrameworkTokenIssuer.StartAsync(AppId, AppPassword);
        Connector = await FakeConnector.StartAsync(ConnectorChecksTokens ? Issuer : null);
        _factory = new TeamsFactory(services =>
        {
            if (TestBot is { } bot) services.AddSingleton(bot);
            ConfigureServices(services);
        });
        _factory
            .WithBotRegistration(AppId, AppPassword, Issuer, Connector);
        foreach (var (key, value) in Settings) _factory.With(key, value);
        Client = _factory.CreateClient();
        // The channel mints its tokens at the service's "now", so a test that moves the clock a day on
        // still sends tokens the service takes as current.
        Issuer.Clock = Services.GetRequiredService<TimeProvider>();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        await Connector.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    /// <summary>A sample activity from Samples/, addressed to the fake Connector, with a fresh id.</summary>
    public JsonObject Sample(string name) => Sample(name, Connector);

    /// <summary>A sample activity from Samples/, addressed to <paramref name="connector"/>, with a fresh id (any host's tests).</summary>
    public static JsonObject Sample(string name, FakeConnector connector)
    {
        var activity = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Channels", "Teams", "Samples", name + ".json")))!.AsObject();
        activity["serviceUrl"] = connector.ServiceUrl;
        activity["id"] = Guid.NewGuid().ToString("N");
        return activity;
    }

    /// <summary>A valid channel token for this activity's serviceUrl.</summary>
    public string TokenFor(JsonObject activity) =>
        Issuer.CreateChannelToken(new ChannelToken { ServiceUrl = activity["serviceUrl"]!.GetValue<string>() });

    /// <summary>Waits for the Connector calls that answer the activity with this id (replies and updates of it).</summary>
    public Task<IReadOnlyList<ConnectorRequest>> RepliesToAsync(string activityId, int count = 1) =>
        Connector.WaitForAsync(r => r.Count(x => x.Body?["replyToId"]?.GetValue<string>() == activityId) >= count)
            .ContinueWith(t => (IReadOnlyList<ConnectorRequest>)t.Result.Where(x => x.Body?["replyToId"]?.GetValue<string>() == activityId).ToList());

    public Task<HttpResponseMessage> PostAsync(JsonObject activity) => PostAsync(activity.ToJsonString(), TokenFor(activity));

    public Task<HttpResponseMessage> PostAsync(string body, string? token) => PostAsync(Client, body, token);

    /// <summary><paramref name="activity"/> posted to /api/messages through <paramref name="client"/> with a valid channel token.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, BotFrameworkTokenIssuer issuer, JsonObject activity) =>
        PostAsync(client, activity.ToJsonString(),
            issuer.CreateChannelToken(new ChannelToken { ServiceUrl = activity["serviceUrl"]!.GetValue<string>() }));

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }

    public async Task<T> WithStoreAsync<T>(Func<CrmDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CrmDbContext>());
    }

    /// <summary>Row counts of what a turn can write, to show that a refused request wrote nothing.</summary>
    public Task<string> StoreFingerprintAsync() => WithStoreAsync(async db =>
        $"inbound={await db.ProcessedInbound.CountAsync()} refs={await db.ConversationAddresses.CountAsync()} " +
        $"members={await db.Members.CountAsync()} activities={await db.Activities.CountAsync()} followups={await db.FollowUps.CountAsync()}");

    private sealed class TeamsFactory(Action<IServiceCollection> configure) : CrmBotFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }
}

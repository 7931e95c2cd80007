using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Fakes.Slack;
using CrmBot.Fakes.Teams;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmBot.IntegrationTests.MultiInstance;

/// <summary>
/// Two service instances on one fresh PostgreSQL database, as two processes behind a load balancer: the same
/// settings (Bot registration, Slack app, notification channel), the same loopback Teams and Slack fakes, one clock.
/// Neither sets Pipeline:InstanceName, so they run with the default an operator gets.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public const string AppId = "00000000-0000-0000-0000-0000000000d2";
    public const string TeamChannel = "19:multi-general@thread.tacv2";
    public const string SlackSecret = "test-signing-secret-multi-0123456789";
    private const string AppPassword = "loopback-test-secret";

    public BotFrameworkTokenIssuer Issuer { get; private set; } = null!;
    public FakeConnector Connector { get; private set; } = null!;
    public FakeSlackApi Slack { get; private set; } = null!;
    public ShiftedClock Clock { get; } = new();
    public Instance A { get; private set; } = null!;
    public Instance B { get; private set; } = null!;

    /// <summary>Settings both instances get besides the shared ones (e.g. short leases).</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>Replaces instance A's engine (e.g. with one that hangs, to play its death).</summary>
    public IBot? BotOfA { get; set; }

    public async Task InitializeAsync()
    {
        Issuer = await BotFrameworkTokenIssuer.StartAsync(AppId, AppPassword);
        Connector = await FakeConnector.StartAsync(Issuer);
        Slack = await FakeSlackApi.StartAsync();
        Slack.AddUser(SlackHost.UserId, "Megan Bowen", "Europe/Berlin", "megan@example.com");
    }

    /// <summary>Starts both instances (after the test has filled in <see cref="Settings"/>).</summary>
    public async Task StartAsync()
    {
        A = Start(null, BotOfA);
        B = Start(A.Factory.ConnectionString, null);
        // Teams tokens are minted at the service's "now".
        Issuer.Clock = Clock;
        await using var scope = A.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        db.ConversationAddresses.Add(new ConversationAddress
        {
            Channel = "msteams", TenantId = "tenant-multi", ConversationId = TeamChannel, ConversationType = "channel",
            ServiceUrl = Connector.ServiceUrl, BotId = "28:" + AppId, UpdatedAt = Clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync();
    }

    private Instance Start(string? store, IBot? bot)
    {
        var factory = new Factory(store, services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            if (bot is not null) services.AddSingleton(bot);
            // Tearing an instance down does not wait long for a hung turn: that is the death a test plays.
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        });
        factory.WithBotRegistration(AppId, AppPassword, Issuer, Connector)
            .With("Slack:SigningSecret", SlackSecret)
            .With("Slack:BotToken", Slack.BotToken)
            .With("Slack:ApiBaseUrl", Slack.ApiBaseUrl.ToString())
            .With("Slack:RetryDelay", "00:00:00.010")
            .With("Crm:NotificationChannel", "msteams:" + TeamChannel)
            .With("Outbox:PollInterval", "00:00:00.050")
            .With("Outbox:RetryBaseDelay", "00:00:00.050")
            .With("Outbox:RetryMaxDelay", "00:00:00.200");
        foreach (var (key, value) in Settings) factory.With(key, value);
        return new Instance(factory, factory.CreateClient(), factory.CreateDefaultClient(new SlackSigningHandler(SlackSecret, Clock)));
    }

    public async Task DisposeAsync()
    {
        if (B is not null) await B.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        await Slack.DisposeAsync();
        await Connector.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    /// <summary>A unit of work on the shared database from outside both instances.</summary>
    public CrmDbContext Store() => A.Factory.OpenStore();

    /// <summary>A personal Teams message from <paramref name="user"/> in <paramref name="conversation"/>, addressed to the fake Connector.</summary>
    public JsonObject TeamsMessage(string user, string conversation, string text)
    {
        var activity = Channels.Teams.TeamsHost.Sample("message-personal", Connector);
        activity["from"]!["id"] = user;
        activity["conversation"]!["id"] = conversation;
        activity["text"] = text;
        return activity;
    }

    public Task<HttpResponseMessage> PostTeamsAsync(Instance to, JsonObject activity) => Channels.Teams.TeamsHost.PostAsync(to.Client, Issuer, activity);

    /// <summary>Connector calls that answer the activity with this id.</summary>
    public IReadOnlyList<ConnectorRequest> RepliesTo(string activityId) =>
        Connector.Requests.Where(x => x.Body?["replyToId"]?.GetValue<string>() == activityId).ToList();

    /// <summary>/crm with <paramref name="text"/>, as Slack posts it to <paramref name="to"/>.</summary>
    public Task<HttpResponseMessage> PostSlackCommandAsync(Instance to, string text, string responseUrlName) =>
        SlackHost.PostCommandAsync(to.SlackClient, Slack, text, responseUrlName);

    /// <summary>One service instance: its factory (its host), a plain client and a client that signs as Slack does.</summary>
    public sealed class Instance(CrmBotFactory factory, HttpClient client, HttpClient slackClient) : IAsyncDisposable
    {
        private bool _disposed;

        public CrmBotFactory Factory { get; } = factory;
        public HttpClient Client { get; } = client;
        public HttpClient SlackClient { get; } = slackClient;
        public IServiceProvider Services => Factory.Services;

        public async ValueTask DisposeAsync()
        {
            if (_disposed) return;
            _disposed = true;
            Client.Dispose();
            SlackClient.Dispose();
            await Factory.DisposeAsync();
        }
    }

    private sealed class Factory(string? store, Action<IServiceCollection> configure) : CrmBotFactory(StoreProvider.Postgres, store)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }
}

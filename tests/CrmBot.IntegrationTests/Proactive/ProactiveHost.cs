using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using CrmBot.Fakes.Slack;
using CrmBot.Fakes.Teams;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Proactive;

/// <summary>
/// The real app with its background outbox dispatcher running, pointed at loopback fakes of the Bot
/// Connector (with its token issuer) and of Slack's Web API. Retry delays are shortened so that
/// retries happen within a test; nothing else differs from production.
/// </summary>
public sealed class ProactiveHost : IAsyncLifetime
{
    public const string AppId = "00000000-0000-0000-0000-0000000000c1";
    public const string TenantId = "tenant-proactive";
    public const string TeamChannel = "19:team-general@thread.tacv2";
    private const string AppPassword = "loopback-test-secret";

    public BotFrameworkTokenIssuer Issuer { get; private set; } = null!;
    public FakeConnector Connector { get; private set; } = null!;
    public FakeSlackApi Slack { get; private set; } = null!;
    public CrmBotFactory Factory { get; private set; } = null!;
    public IServiceProvider Services => Factory.Services;

    public async Task InitializeAsync()
    {
        Issuer = await BotFrameworkTokenIssuer.StartAsync(AppId, AppPassword);
        Connector = await FakeConnector.StartAsync(Issuer);
        Slack = await FakeSlackApi.StartAsync();
        Factory = new CrmBotFactory()
            .WithBotRegistration(AppId, AppPassword, Issuer, Connector)
            .With("Slack:SigningSecret", "test-signing-secret-proactive")
            .With("Slack:BotToken", Slack.BotToken)
            .With("Slack:ApiBaseUrl", Slack.ApiBaseUrl.ToString())
            .With("Slack:RetryDelay", "00:00:00.010")
            .With("Crm:NotificationChannel", "msteams:" + TeamChannel)
            .With("Outbox:PollInterval", "00:00:00.050")
            .With("Outbox:RetryBaseDelay", "00:00:00.050")
            .With("Outbox:RetryMaxDelay", "00:00:00.200");
        // Starts the host, and with it the dispatcher.
        _ = Factory.Services;
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        // The app was installed in the team: that is where the serviceUrl and bot id come from.
        db.ConversationAddresses.Add(new ConversationAddress
        {
            Channel = "msteams", TenantId = TenantId, ConversationId = TeamChannel, ConversationType = "channel",
            ServiceUrl = Connector.ServiceUrl, BotId = "28:" + AppId, UpdatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Slack.DisposeAsync();
        await Connector.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    public async Task<Member> MemberAsync(string channel, string userId, string name)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MemberService>()
            .ResolveAsync(new MemberIdentity(channel, channel == "msteams" ? TenantId : "T0PRO", userId, name, "UTC"), default);
    }

    public async Task<long> EnqueueAsync(ProactiveAddress to, ProactivePayload payload)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var row = ProactiveOutbox.Add(db, to, OutboxKinds.StageChange, payload, TimeProvider.System);
        await db.SaveChangesAsync();
        return row.Id;
    }

    public async Task<OutboxMessage> RowAsync(long id)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Outbox.AsNoTracking().SingleAsync(o => o.Id == id);
    }

    /// <summary>Waits until the row leaves Pending (the background dispatcher runs every 50 ms).</summary>
    public async Task<OutboxMessage> SettledAsync(long id, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var row = await RowAsync(id);
            if (row.Status != OutboxStatus.Pending) return row;
            await Task.Delay(50, cts.Token);
        }
    }
}

using CrmBot.Crm.ChatState;
using System.Net;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>
/// "An acknowledged write is never lost": Slack gets its 200 before the work is done, so the work
/// must survive the process that acknowledged it. Several service instances in turn on one SQLite file.
/// </summary>
public sealed class SlackDurabilityTests : IAsyncLifetime
{
    private readonly SlackHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    /// <summary>Another service instance on the same store and the same fake Slack; <paramref name="bot"/> replaces the engine.</summary>
    private (WebApplicationFactory<Program> App, HttpClient Client) Instance(IBot? bot = null, Action<IServiceCollection>? configure = null,
        string instanceName = InstanceName)
    {
        var app = _host.Factory.WithWebHostBuilder(b => b.UseSetting("Pipeline:InstanceName", instanceName).ConfigureTestServices(services =>
        {
            if (bot is not null) services.AddSingleton(bot);
            configure?.Invoke(services);
            // Tearing an instance down must not wait long for a hung turn: that is the crash we play.
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
            services.AddSingleton<TimeProvider>(_host.Clock);
        }));
        return (app, app.CreateDefaultClient(new SlackSigningHandler(SlackHost.SigningSecret, _host.Clock)));
    }

    /// <summary>The stable name every instance of these tests runs under, as one host restarted.</summary>
    private const string InstanceName = "crm-it";

    private CrmDbContext Store() => _host.Factory.OpenStore();

    private async Task SeedJaneAsync()
    {
        await using var db = Store();
        if (await db.Contacts.AnyAsync(c => c.FirstName == "Jane")) return;
        var acme = new Company { Name = "Acme", NormalizedName = CompanyNames.Key("Acme") };
        db.Contacts.Add(new Contact { FirstName = "Jane", LastName = "Doe", Company = acme, Email = "jane.doe@acme.example" });
        await db.SaveChangesAsync();
    }

    private async Task<int> ActivitiesAsync(string note)
    {
        await using var db = Store();
        return await db.Activities.CountAsync(a => a.Notes.Contains(note));
    }

    private int RepliesTo(string responseUrlName) =>
        _host.Slack.Calls.Count(c => c.Method == "response_url" && c.Path.EndsWith(responseUrlName, StringComparison.Ordinal));

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// Single worker: once the reply to a later command has come, everything queued before it
    /// (recovered work included) has been done.
    /// </summary>
    private async Task DrainAsync(HttpClient client)
    {
        var name = Unique("drain");
        Assert.Equal(HttpStatusCode.OK, (await PostCommandAsync(client, "follow-ups", name)).StatusCode);
        await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
    }

    private Task<HttpResponseMessage> PostCommandAsync(HttpClient client, string text, string responseUrlName) =>
        SlackHost.PostCommandAsync(client, _host.Slack, text, responseUrlName);

    [Fact]
    public async Task CommandAcknowledgedByAnInstanceThatNeverFinishedIt_IsDoneOnceByTheNext_AndNotAgainAfterRestart()
    {
        var note = Unique("pricing");
        var name = Unique("cmd");

        // Instance A acknowledges, then its work dies before anything is written or answered.
        var crashing = new HangingBot();
        var (a, clientA) = Instance(crashing);
        await SeedJaneAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostCommandAsync(clientA, $"log call with Jane Doe: discussed {note}", name)).StatusCode);
        await crashing.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clientA.Dispose();
        await a.DisposeAsync();
        Assert.Equal(0, await ActivitiesAsync(note));
        Assert.Equal(0, RepliesTo(name));
        await using (var db = Store())
            Assert.Single(await db.ProcessedInbound.Where(p => p.Kind == "command" && p.PayloadJson != null).ToListAsync());

        // Whether or not A got to release its lease, it has run out by the time B looks.
        _host.Clock.Advance(TimeSpan.FromMinutes(11));

        // Instance B, started on the same store, finds the work and does it.
        var (b, clientB) = Instance();
        // Generous: the first turn of a fresh instance on a busy machine (not a speed assertion).
        var reply = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        Assert.True(reply.Accepted, reply.Error);
        Assert.Contains("Jane Doe", reply.Body.ToJsonString());
        await DrainAsync(clientB);
        Assert.Equal(1, await ActivitiesAsync(note));
        Assert.Equal(1, RepliesTo(name));
        await using (var db = Store())
            // Only this command: the drain's own row is marked done just after its reply is posted.
            Assert.Empty(await db.ProcessedInbound.Where(p => p.PayloadJson != null && p.PayloadJson.Contains(note)).ToListAsync());
        clientB.Dispose();
        await b.DisposeAsync();

        // Instance C: nothing is left to redo.
        var (c, clientC) = Instance();
        await DrainAsync(clientC);
        Assert.Equal(1, await ActivitiesAsync(note));
        Assert.Equal(1, RepliesTo(name));
        clientC.Dispose();
        await c.DisposeAsync();
    }

    [Fact]
    public async Task RetriedEvent_IsProcessedOnce_AndLeavesNoPendingWork()
    {
        var (app, client) = Instance();
        await SeedJaneAsync();
        var note = Unique("renewal");
        var envelope = SlackHost.Event(SlackHost.DirectMessage($"log call with Jane Doe: discussed {note}"));

        Assert.Equal(HttpStatusCode.OK, (await SendEventAsync(client, envelope, null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendEventAsync(client, envelope, "1")).StatusCode);
        await DrainAsync(client);

        Assert.Equal(1, await ActivitiesAsync(note));
        await using (var db = Store())
        {
            var row = await db.ProcessedInbound.SingleAsync(p => p.DeliveryId == envelope["event_id"]!.GetValue<string>());
            Assert.Null(row.PayloadJson);
            Assert.Equal("event", row.Kind);
        }
        client.Dispose();
        await app.DisposeAsync();
    }

    private static Task<HttpResponseMessage> SendEventAsync(HttpClient client, System.Text.Json.Nodes.JsonObject envelope, string? retryNum)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/slack/events")
        {
            Content = new StringContent(envelope.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        if (retryNum is not null) request.Headers.Add(CrmBot.Channels.Slack.SlackEndpoints.RetryNumHeader, retryNum);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task WorkThatFailed_IsClosed_NotRedone_BecauseItMayAlreadyHaveWritten()
    {
        var note = Unique("failed");
        var name = Unique("cmd");
        var failing = new FailingBot();
        var (a, clientA) = Instance(failing);
        await SeedJaneAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostCommandAsync(clientA, $"log call with Jane Doe: discussed {note}", name)).StatusCode);
        await failing.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await DrainAsync(clientA);
        await using (var db = Store())
            // Only this command: the drain's own row is marked done just after its reply is posted.
            Assert.Empty(await db.ProcessedInbound.Where(p => p.PayloadJson != null && p.PayloadJson.Contains(note)).ToListAsync());
        clientA.Dispose();
        await a.DisposeAsync();

        // Past any lease, a fresh instance with the real engine finds nothing to redo.
        _host.Clock.Advance(TimeSpan.FromMinutes(11));
        var (b, clientB) = Instance();
        await DrainAsync(clientB);
        Assert.Equal(0, await ActivitiesAsync(note));
        Assert.Equal(0, RepliesTo(name));
        clientB.Dispose();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task ACrashBetweenTheTurnsCommitAndItsDoneMark_DoesNotLogTheCallAgainAfterRestart()
    {
        var note = Unique("crash");
        var name = Unique("cmd");

        // Instance A does the work and posts the reply, but never gets to mark the stored delivery done
        // (as a kill -9 right after the turn's commit).
        var (a, clientA) = Instance(configure: services =>
            services.ConfigureDbContext<CrmDbContext>(o => o.AddInterceptors(new FailingDoneMark())));
        await SeedJaneAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostCommandAsync(clientA, $"log call with Jane Doe: discussed {note}", name)).StatusCode);
        await DrainAsync(clientA);
        Assert.Equal(1, RepliesTo(name));
        clientA.Dispose();
        await a.DisposeAsync();

        // Past any lease: a restarted service redoes whatever is still pending.
        _host.Clock.Advance(TimeSpan.FromMinutes(11));
        var (b, clientB) = Instance();
        await DrainAsync(clientB);
        Assert.Equal(1, await ActivitiesAsync(note));
        Assert.Equal(1, RepliesTo(name));
        clientB.Dispose();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task WorkLeftByThisInstancesKilledProcess_IsTakenOverAtOnce_NotAfterItsLease()
    {
        await SeedJaneAsync();
        var note = Unique("takeover");
        var name = Unique("cmd");
        var command = new CrmBot.Channels.Slack.SlashCommand(SlackHost.TeamId, "example", SlackHost.UserId, "megan.bowen", "C7473C21AFD", "/crm",
            $"log call with Jane Doe: discussed {note}", _host.Slack.ResponseUrl(name), "trg." + Guid.NewGuid().ToString("N"));
        // As a killed process leaves it: acknowledged, and leased to that process for ten more minutes.
        await using (var db = Store())
        {
            var now = _host.Clock.GetUtcNow().UtcDateTime;
            db.ProcessedInbound.Add(new ProcessedInbound
            {
                Channel = "slack", DeliveryId = "cmd:" + Guid.NewGuid().ToString("N"), ReceivedAt = now, Kind = "command",
                PayloadJson = System.Text.Json.JsonSerializer.Serialize(command), Attempts = 1,
                LeaseOwner = InstanceName + "/0123456789abcdef", LeaseUntil = now.AddMinutes(10),
            });
            await db.SaveChangesAsync();
        }

        // The same host started again, the clock not moved: the work is done within seconds.
        var (b, clientB) = Instance();
        var reply = await _host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.Contains("Jane Doe", reply.Body.ToJsonString());
        await DrainAsync(clientB);
        Assert.Equal(1, await ActivitiesAsync(note));
        clientB.Dispose();
        await b.DisposeAsync();
    }

    /// <summary>Fails the statement that marks a stored Slack delivery done on its own, after the turn.</summary>
    private sealed class FailingDoneMark : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        private static void Check(System.Data.Common.DbCommand command)
        {
            if (command.CommandText.StartsWith("""UPDATE "ProcessedInbound" SET "PayloadJson" = NULL""", StringComparison.Ordinal))
                throw new InvalidOperationException("killed before the done-mark");
        }

        public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> NonQueryExecuting(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result)
        {
            Check(command);
            return result;
        }

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Check(command);
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>Work that fails outright (as a reply that cannot be posted after the engine committed).</summary>
    private sealed class FailingBot : IBot
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
        {
            if (turn.Text?.Contains("log call", StringComparison.Ordinal) == true)
            {
                Called.TrySetResult();
                throw new InvalidOperationException("failed after writing");
            }
            return Task.FromResult<IReadOnlyList<Reply>>([new TextReply("ok")]);
        }
    }
}

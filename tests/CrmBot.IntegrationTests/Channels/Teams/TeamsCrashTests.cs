using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.Fakes.Teams;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// A Teams turn acknowledged before it is done (it ran past Bot:AcknowledgeAfter) must survive the process
/// that acknowledged it: Teams does not redeliver what it got a 200 for. Two service instances in turn on one store.
/// </summary>
public sealed class TeamsCrashTests : IAsyncLifetime
{
    private const string AppPassword = "loopback-test-secret";

    private BotFrameworkTokenIssuer _issuer = null!;
    private FakeConnector _connector = null!;
    private CrmBotFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _issuer = await BotFrameworkTokenIssuer.StartAsync(TeamsHost.AppId, AppPassword);
        _connector = await FakeConnector.StartAsync(_issuer);
        _factory = new CrmBotFactory()
            .WithBotRegistration(TeamsHost.AppId, AppPassword, _issuer, _connector)
            .With("Bot:AcknowledgeAfter", "00:00:00.300");
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _connector.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    /// <summary>
    /// The same service restarted: a configured stable name, so the next process takes over at once what the dead
    /// one left, lease or not (without a name an instance waits for the lease).
    /// </summary>
    private WebApplicationFactory<Program> Instance(IBot? bot = null) => _factory.WithWebHostBuilder(b => b.UseSetting("Pipeline:InstanceName", "crm-it").ConfigureTestServices(services =>
    {
        if (bot is not null) services.AddSingleton(bot);
        // Tearing an instance down must not wait long for the held turn: that is the crash we play.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
    }));

    private CrmDbContext Store() => _factory.OpenStore();

    private JsonObject Message(string text)
    {
        var activity = TeamsHost.Sample("message-personal", _connector);
        activity["text"] = text;
        return activity;
    }

    private Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject activity) => TeamsHost.PostAsync(client, _issuer, activity);

    [Fact]
    public async Task ATurnStillRunningWhenAcknowledged_IsRedoneOnce_ByTheNextInstance_AfterACrash()
    {
        var note = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var activity = Message($"log call with Jane Doe: discussed {note}");
        var id = activity["id"]!.GetValue<string>();

        // Instance A acknowledges the turn (it runs past AcknowledgeAfter), then dies before it commits.
        var holding = new HangingBot();
        var a = Instance(holding);
        var clientA = a.CreateClient();
        await using (var db = Store())
        {
            db.Contacts.Add(new Contact { FirstName = "Jane", LastName = "Doe", Company = new Company { Name = "Acme", NormalizedName = CompanyNames.Key("Acme") } });
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(clientA, activity)).StatusCode);
        Assert.True(holding.Called.Task.IsCompleted);
        clientA.Dispose();
        await a.DisposeAsync();
        await using (var db = Store())
            Assert.Equal(0, await db.Activities.CountAsync(x => x.Notes.Contains(note)));

        // Instance B, on the same store: the turn is done once, and its reply goes through the Connector.
        var b = Instance();
        using var clientB = b.CreateClient();
        var replies = await _connector.WaitForAsync(r => r.Any(x => x.Body?["replyToId"]?.GetValue<string>() == id), TimeSpan.FromSeconds(60));
        Assert.Contains("Jane Doe", Assert.Single(replies, x => x.Body?["replyToId"]?.GetValue<string>() == id).Body!.ToJsonString());
        await using (var db = Store())
        {
            Assert.Equal(1, await db.Activities.CountAsync(x => x.Notes.Contains(note)));
            Assert.Empty(await db.ProcessedInbound.Where(p => p.PayloadJson != null).ToListAsync());
        }
        await b.DisposeAsync();
    }
}

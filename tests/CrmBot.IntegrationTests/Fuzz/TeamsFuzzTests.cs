using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CrmBot.IntegrationTests.Channels.Teams;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.IntegrationTests.Fuzz;

/// <summary>The real engine behind /api/messages, its log captured.</summary>
public sealed class TeamsFuzzHost : TeamsHost
{
    public CapturingLoggerProvider Logs { get; } = new();
    public StoreProbe Store => new(Factory);
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

/// <summary>
/// Thousands of mutated, correctly authenticated activities (see <see cref="FuzzRun"/> for seed and replay): none gets
/// a 5xx or hangs, none refused stores anything, no CRM row changes, nothing is logged as an error or with a stack
/// trace, and the service is healthy after. The bases are read-only when valid (help, what is due, a card action on
/// a follow-up that does not exist) and their sender is seeded first, so every accepted mutation must leave the CRM as it was.
/// </summary>
public class TeamsFuzzTests(TeamsFuzzHost host) : IClassFixture<TeamsFuzzHost>
{
    private static readonly (string Sample, string? Text, bool ExpectReplies)[] Bases =
    [
        ("message-personal", "help", false),
        ("message-personal", "what's due today", true),
        ("message-channel-mention", null, false),
        ("card-submit", null, false),
        ("invoke-action-execute", null, false),
        ("conversation-update-installed", null, false),
    ];

    [Fact]
    public async Task MutatedActivities_GetNo5xx_ChangeNoCrmRow_AndLogNoError()
    {
        var token = host.TokenFor(host.Sample("message-personal"));
        foreach (var b in Bases)
        {
            var response = await Send(Base(b, "seed-" + Guid.NewGuid().ToString("N")), token);
            Assert.True(response.IsSuccessStatusCode, $"{b.Sample}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await host.Store.WaitForNoPendingWorkAsync(TimeSpan.FromSeconds(30));
        host.Logs.Clear();

        var limit = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CrmBot.Channels.Teams.BotOptions>>().Value.MaxRequestBytes;
        await new FuzzRun("teams", host.Client, host.Store, host.Logs).RunAsync((n, rng) =>
        {
            var marker = $"fz{n}x{Guid.NewGuid():N}";
            var b = Bases[rng.Next(Bases.Length)];
            var (body, what) = new JsonMutator(rng, limit).Mutate(Base(b, marker));
            return new FuzzCase(n, $"{b.Sample}: {what}", () => Request(body, token), marker);
        });
    }

    private JsonObject Base((string Sample, string? Text, bool ExpectReplies) b, string id)
    {
        var activity = host.Sample(b.Sample);
        activity["id"] = id;
        if (b.Text is not null) activity["text"] = b.Text;
        if (b.ExpectReplies) activity["deliveryMode"] = "expectReplies";
        return activity;
    }

    private Task<HttpResponseMessage> Send(JsonObject activity, string token) =>
        host.Client.SendAsync(Request(System.Text.Encoding.UTF8.GetBytes(activity.ToJsonString()), token));

    private static HttpRequestMessage Request(byte[] body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

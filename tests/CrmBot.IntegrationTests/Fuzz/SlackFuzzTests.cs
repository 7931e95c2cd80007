using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.IntegrationTests.Fuzz;

/// <summary>The real engine behind the Slack endpoints, its log captured.</summary>
public sealed class SlackFuzzHost : SlackHost
{
    public CapturingLoggerProvider Logs { get; } = new();
    public StoreProbe Store => new(Factory);
    public int SizeLimit => App.Services.GetRequiredService<IOptions<SlackOptions>>().Value.MaxRequestBytes;
    protected override void Configure(CrmBotFactory factory) => factory.With("Slack:Workers", "2");
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

/// <summary>
/// Thousands of mutated, correctly signed requests to each Slack endpoint (see <see cref="FuzzRun"/> for seed and
/// replay): none gets a 5xx or hangs, none refused stores anything, no CRM row changes, and once the background
/// worker has drained, nothing was logged as an error or with a stack trace and the service is healthy. The bases are
/// read-only when valid (help, follow-ups, a button on a follow-up that does not exist) and their sender is seeded first.
/// </summary>
public class SlackFuzzTests(SlackFuzzHost host) : IClassFixture<SlackFuzzHost>
{
    [Fact]
    public async Task MutatedEvents_GetNo5xx_ChangeNoCrmRow_AndLogNoError()
    {
        JsonObject Base(int which, string eventId)
        {
            var envelope = which switch
            {
                0 => SlackHost.Sample("event-app-mention.json"),
                1 => SlackHost.Event(SlackHost.DirectMessage("help")),
                _ => SlackHost.Sample("url-verification.json"),
            };
            if (which < 2) envelope["event_id"] = eventId;
            return envelope;
        }
        await SeedAsync([.. Enumerable.Range(0, 3).Select(i => Json("/slack/events", Base(i, "EvSEED" + i)))]);

        await new FuzzRun("slack-events", host.Client, host.Store, host.Logs).RunAsync((n, rng) =>
        {
            var marker = $"Evfz{n}x{Guid.NewGuid():N}";
            var which = rng.Next(3);
            var (body, what) = new JsonMutator(rng, host.SizeLimit).Mutate(Base(which, marker));
            return new FuzzCase(n, $"base {which}: {what}", () => Raw("/slack/events", body, "application/json"), marker);
        });
    }

    [Fact]
    public async Task MutatedCommands_GetNo5xx_ChangeNoCrmRow_AndLogNoError()
    {
        await SeedAsync([Form("/slack/commands", Command("trg.seed"))]);

        await new FuzzRun("slack-commands", host.Client, host.Store, host.Logs).RunAsync((n, rng) =>
        {
            var trigger = $"trg.fz{n}x{Guid.NewGuid():N}";
            var (body, what) = new FormMutator(rng, host.SizeLimit, JsonMutatorFor(rng)).Mutate(Command(trigger));
            return new FuzzCase(n, what, () => Raw("/slack/commands", body, "application/x-www-form-urlencoded"), DeliveryId("cmd", body));
        });
    }

    [Fact]
    public async Task MutatedInteractions_GetNo5xx_ChangeNoCrmRow_AndLogNoError()
    {
        await SeedAsync([.. Enumerable.Range(0, 4).Select(i => Form("/slack/interactions", [new("payload", Interaction(i, "trg.seed" + i).ToJsonString())]))]);

        await new FuzzRun("slack-interactions", host.Client, host.Store, host.Logs).RunAsync((n, rng) =>
        {
            var which = rng.Next(4);
            var payload = Interaction(which, $"trg.fz{n}x{Guid.NewGuid():N}");
            var (body, what) = new FormMutator(rng, host.SizeLimit, JsonMutatorFor(rng)).Mutate([new("payload", payload.ToJsonString())], jsonKey: "payload");
            return new FuzzCase(n, $"base {which}: {what}", () => Raw("/slack/interactions", body, "application/x-www-form-urlencoded"), DeliveryId("ia", body));
        });
    }

    private JsonMutator JsonMutatorFor(Random rng) => new(rng, host.SizeLimit);

    private List<KeyValuePair<string, string>> Command(string trigger) =>
    [
        new("token", "deprecated-verification-token"), new("team_id", SlackHost.TeamId), new("team_domain", "example"),
        new("channel_id", "C7473C21AFD"), new("channel_name", "sales"), new("user_id", SlackHost.UserId),
        new("user_name", "megan.bowen"), new("command", "/crm"), new("text", "help"), new("api_app_id", "A0EXAMPLE"),
        new("response_url", host.Slack.ResponseUrl("fuzz")), new("trigger_id", trigger),
    ];

    /// <summary>A button on a follow-up that does not exist, the same in a modal, a submitted form with nothing in it, the message shortcut.</summary>
    private JsonObject Interaction(int which, string trigger)
    {
        switch (which)
        {
            case 0:
                var click = SlackHost.Sample("block-actions.json");
                click["response_url"] = host.Slack.ResponseUrl("fuzz");
                click["trigger_id"] = trigger;
                return click;
            case 1:
                var inModal = SlackHost.Sample("block-actions.json");
                inModal["container"] = new JsonObject { ["type"] = "view", ["view_id"] = "V0FUZZ" };
                inModal["view"] = new JsonObject { ["id"] = "V0FUZZ", ["private_metadata"] = "{}", ["state"] = new JsonObject { ["values"] = new JsonObject() } };
                inModal.Remove("response_url");
                inModal["trigger_id"] = trigger;
                return inModal;
            case 2:
                var submission = SlackHost.ViewSubmission(new JsonObject
                {
                    ["id"] = "V0FUZZ", ["type"] = "modal", ["callback_id"] = BlockKit.FormCallbackId, ["private_metadata"] = "{}",
                }, new JsonObject());
                submission["trigger_id"] = trigger;
                return submission;
            default:
                return new JsonObject
                {
                    ["type"] = "message_action", ["callback_id"] = SlackEndpoints.LogToCrmCallbackId, ["trigger_id"] = trigger,
                    ["team"] = new JsonObject { ["id"] = SlackHost.TeamId, ["domain"] = "example" },
                    ["user"] = new JsonObject { ["id"] = SlackHost.UserId, ["team_id"] = SlackHost.TeamId },
                    ["channel"] = new JsonObject { ["id"] = "C7473C21AFD", ["name"] = "sales" },
                    ["message"] = new JsonObject { ["type"] = "message", ["text"] = "hello", ["ts"] = "1795363768.591350", ["user"] = SlackHost.UserId },
                    ["response_url"] = host.Slack.ResponseUrl("fuzz"),
                };
        }
    }

    private async Task SeedAsync(IEnumerable<HttpRequestMessage> requests)
    {
        foreach (var request in requests)
        {
            var response = await host.Client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await host.Store.WaitForNoPendingWorkAsync(TimeSpan.FromSeconds(30));
        host.Logs.Clear();
    }

    private static HttpRequestMessage Json(string path, JsonObject body) =>
        Raw(path, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");

    private static HttpRequestMessage Form(string path, List<KeyValuePair<string, string>> fields) =>
        Raw(path, FormMutator.Encode(fields), "application/x-www-form-urlencoded");

    private static HttpRequestMessage Raw(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    /// <summary>The delivery id the endpoint stores a command or interaction under: a hash of its body.</summary>
    private static string DeliveryId(string prefix, byte[] body) =>
        prefix + ":" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
}

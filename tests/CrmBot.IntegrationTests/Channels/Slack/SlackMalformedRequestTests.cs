using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Crm;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>
/// Signed requests that are malformed in ways fuzzing found (issue 28): each is refused with a 4xx and a reason,
/// never a 500, and nothing is stored or queued.
/// </summary>
public class SlackMalformedRequestTests(SlackHost host) : IClassFixture<SlackHost>
{
    public static TheoryData<string, string, string> EventCases => new()
    {
        { "envelope-duplicate-key", "{\"token\":", "{\"k\":1,\"k\":2,\"token\":" },
        { "event-duplicate-key", "\"event\":{", "\"event\":{\"text\":\"a\",\"text\":\"b\"," },
        { "text-lone-surrogate", "\"text\":\"", "\"text\":\"\\ud800" },
        { "key-lone-surrogate", "\"event\":{", "\"event\":{\"\\udc00\":1," },
    };

    [Theory]
    [MemberData(nameof(EventCases))]
    public async Task MalformedEvent_IsRefusedWith4xx_AndStoresNothing(string name, string find, string replace)
    {
        var json = SlackHost.Event(SlackHost.DirectMessage("log call with Jane Doe")).ToJsonString();
        Assert.Contains(find, json);
        var before = Fingerprint();

        var response = await host.Client.PostAsync("/slack/events",
            new StringContent(ReplaceFirst(json, find, replace), Encoding.UTF8, "application/json"));

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{name}: {status} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before, Fingerprint());
    }

    public static TheoryData<string, string> InteractionCases => new()
    {
        { "block-actions-user-string", "{\"type\":\"block_actions\",\"user\":\"U1\"}" },
        { "view-submission-view-array", "{\"type\":\"view_submission\",\"user\":{\"id\":\"UB301F2990F\"},\"view\":[1]}" },
        { "payload-duplicate-key", "{\"type\":\"block_actions\",\"type\":\"view_submission\",\"user\":{\"id\":\"UB301F2990F\"}}" },
        // Unreadable metadata would fail in the background worker, the member never told: refused while the modal is open.
        { "view-submission-metadata-not-json", "{\"type\":\"view_submission\",\"user\":{\"id\":\"UB301F2990F\"},\"view\":{\"id\":\"V1\",\"callback_id\":\"" + BlockKit.FormCallbackId + "\",\"private_metadata\":\"not json\"}}" },
        { "block-actions-in-view-metadata-not-json", "{\"type\":\"block_actions\",\"user\":{\"id\":\"UB301F2990F\"},\"container\":{\"type\":\"view\"},\"actions\":[{\"action_id\":\"a\",\"value\":\"x\"}],\"view\":{\"id\":\"V1\",\"private_metadata\":\"{bad\"}}" },
        { "payload-lone-surrogate", "{\"type\":\"block_actions\",\"user\":{\"id\":\"UB301F2990F\",\"name\":\"\\ud800\"}}" },
    };

    [Theory]
    [MemberData(nameof(InteractionCases))]
    public async Task MalformedInteraction_IsRefusedWith4xx_AndStoresNothing(string name, string payload)
    {
        var before = Fingerprint();

        var response = await host.Client.PostAsync("/slack/interactions",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["payload"] = payload }));

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{name}: {status} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before, Fingerprint());
    }

    private static string ReplaceFirst(string s, string find, string replace)
    {
        var at = s.IndexOf(find, StringComparison.Ordinal);
        return s[..at] + replace + s[(at + find.Length)..];
    }

    private string Fingerprint() => host.Scoped(services =>
    {
        var db = services.GetRequiredService<CrmDbContext>();
        return $"inbound={db.ProcessedInbound.Count()} members={db.Members.Count()} activities={db.Activities.Count()}";
    });
}

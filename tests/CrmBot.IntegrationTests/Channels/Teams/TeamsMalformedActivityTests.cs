using System.Net;
using System.Text.Json.Nodes;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// Authenticated activities that are malformed in ways fuzzing found (issue 28): each is refused with a 4xx and a
/// reason, never a 500, and leaves the store as it was.
/// </summary>
public class TeamsMalformedActivityTests(TeamsHost host) : IClassFixture<TeamsHost>
{
    public static TheoryData<string, string> Cases => new()
    {
        { "tenant-not-object", "message-personal|channelData.tenant=\"x\"" },
        { "tenant-id-number", "message-personal|channelData.tenant={\"id\":5}" },
        { "entity-type-number", "message-channel-mention|entities=[{\"type\":5}]" },
        { "mention-mentioned-string", "message-channel-mention|entities=[{\"type\":\"mention\",\"mentioned\":\"x\",\"text\":\"<at>CRM Bot</at>\"}]" },
        { "mention-text-object", "message-channel-mention|entities=[{\"type\":\"mention\",\"mentioned\":{\"id\":\"28:00000000-0000-0000-0000-0000000000b0\"},\"text\":{}}]" },
        { "entity-null", "message-channel-mention|entities=[null]" },
        { "invoke-value-array", "invoke-action-execute|value=[1]" },
        { "invoke-value-string", "invoke-action-execute|value=\"x\"" },
        { "invoke-action-string", "invoke-action-execute|value={\"action\":\"x\"}" },
        { "members-added-null", "conversation-update-installed|membersAdded=[null]" },
        { "channelData-duplicate-key", "message-personal|raw:\"channelData\":{|\"channelData\":{\"k\":1,\"k\":2," },
        { "entities-duplicate-key", "message-personal|raw:\"entities\":[{|\"entities\":[{\"k\":1,\"k\":2," },
        { "value-duplicate-key", "invoke-action-execute|raw:\"value\":{|\"value\":{\"k\":1,\"k\":2," },
        { "channelData-lone-surrogate", "message-personal|raw:\"channelData\":{|\"channelData\":{\"k\":\"\\ud800\"," },
        { "entities-lone-surrogate", "message-personal|raw:\"entities\":[{|\"entities\":[{\"k\":\"\\udc00x\"," },
        { "value-lone-surrogate", "invoke-action-execute|raw:\"value\":{|\"value\":{\"k\":\"a\\ud800\"," },
        // A blank id names no member: the turn failed with an exception on resolving the sender.
        { "tenant-id-blank", "message-personal|conversation.tenantId=\"\\t\"" },
        { "from-id-blank", "message-personal|from.id=\" \"" },
        { "conversation-id-blank", "card-submit|conversation.id=\" \"" },
        { "tenant-lone-surrogate", "message-personal|raw:\"tenant\":{\"id\":\"|\"tenant\":{\"id\":\"\\ud800" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedActivity_IsRefusedWith4xx_AndChangesNothing(string name, string recipe)
    {
        var parts = recipe.Split('|');
        var activity = host.Sample(parts[0]);
        var token = host.TokenFor(activity);
        string body;
        if (parts[1].StartsWith("raw:", StringComparison.Ordinal))
        {
            var json = activity.ToJsonString();
            var find = parts[1]["raw:".Length..];
            Assert.Contains(find, json);
            body = json.Replace(find, parts[2], StringComparison.Ordinal);
        }
        else
        {
            var eq = parts[1].IndexOf('=');
            var path = parts[1][..eq].Split('.');
            JsonNode target = activity;
            foreach (var step in path[..^1]) target = target[step]!;
            target[path[^1]] = JsonNode.Parse(parts[1][(eq + 1)..]);
            body = activity.ToJsonString();
        }
        var before = await host.StoreFingerprintAsync();

        var response = await host.PostAsync(body, token);

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{name}: {status} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before, await host.StoreFingerprintAsync());
    }
}

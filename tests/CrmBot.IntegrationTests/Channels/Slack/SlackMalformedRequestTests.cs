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
        await AssertRefusedAsync(name, () => host.Client.PostAsync("/slack/events",
            new StringContent(ReplaceFirst(json, find, replace), Encoding.UTF8, "application/json")));
    }

    /// <summary>No workspace anywhere: its member cannot be named, and the worker failed on it after the 200.</summary>
    [Fact]
    public async Task EventWithoutTeam_IsRefusedWith4xx_AndStoresNothing()
    {
        var envelope = SlackHost.Event(SlackHost.DirectMessage("help"));
        envelope.Remove("team_id");
        envelope["event"]!.AsObject().Remove("team");
        await AssertRefusedAsync("event-without-team", () => host.PostEventAsync(envelope));
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
        // Found by the fuzz test: the worker read these as objects and failed after the 200.
        { "block-actions-team-string", "{\"type\":\"block_actions\",\"user\":{\"id\":\"UB301F2990F\",\"team_id\":\"T0EXAMPLE\"},\"team\":\"T0EXAMPLE\",\"actions\":[{\"action_id\":\"a\",\"value\":\"x\"}]}" },
        { "message-action-channel-array", "{\"type\":\"message_action\",\"callback_id\":\"log_to_crm\",\"user\":{\"id\":\"UB301F2990F\",\"team_id\":\"T0EXAMPLE\"},\"channel\":[1]}" },
        { "view-submission-state-string", "{\"type\":\"view_submission\",\"user\":{\"id\":\"UB301F2990F\",\"team_id\":\"T0EXAMPLE\"},\"view\":{\"id\":\"V1\",\"callback_id\":\"" + BlockKit.FormCallbackId + "\",\"private_metadata\":\"{}\",\"state\":\"x\"}}" },
        { "block-actions-selected-option-string", "{\"type\":\"block_actions\",\"user\":{\"id\":\"UB301F2990F\",\"team_id\":\"T0EXAMPLE\"},\"actions\":[{\"type\":\"static_select\",\"action_id\":\"a\",\"selected_option\":\"x\"}]}" },
        { "view-state-selected-option-string", "{\"type\":\"view_submission\",\"user\":{\"id\":\"UB301F2990F\",\"team_id\":\"T0EXAMPLE\"},\"view\":{\"id\":\"V1\",\"callback_id\":\"" + BlockKit.FormCallbackId + "\",\"private_metadata\":\"{}\",\"state\":{\"values\":{\"b\":{\"a\":{\"type\":\"static_select\",\"selected_option\":\"x\"}}}}}}" },
        { "view-state-option-value-number", "{\"type\":\"view_submission\",\"user\":{\"id\":\"UB301F2990F\",\"team_id\":\"T0EXAMPLE\"},\"view\":{\"id\":\"V1\",\"callback_id\":\"" + BlockKit.FormCallbackId + "\",\"private_metadata\":\"{}\",\"state\":{\"values\":{\"b\":{\"a\":{\"type\":\"checkboxes\",\"selected_options\":[{\"value\":5}]}}}}}}" },
        // No workspace: the member cannot be named (the worker failed resolving the sender).
        { "block-actions-without-team", "{\"type\":\"block_actions\",\"user\":{\"id\":\"UB301F2990F\"},\"actions\":[{\"action_id\":\"a\",\"value\":\"x\"}]}" },
    };

    [Theory]
    [MemberData(nameof(InteractionCases))]
    public async Task MalformedInteraction_IsRefusedWith4xx_AndStoresNothing(string name, string payload)
    {
        await AssertRefusedAsync(name, () => host.Client.PostAsync("/slack/interactions",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["payload"] = payload })));
    }

    /// <summary>A slash command as Slack posts it, with <paramref name="field"/> set to a raw (already encoded) value.</summary>
    public static TheoryData<string, string, string> CommandCases => new()
    {
        // Blank ids name no member: the worker failed on them after the 200.
        { "user-id-blank", "user_id", "+" },
        { "team-id-blank", "team_id", "%20%09" },
        { "command-blank", "command", "+" },
        // Decoded, these are not UTF-8; read leniently they became U+FFFD, a different (new) member or text.
        { "user-id-escape-not-utf8", "user_id", "UB301%FFF2990F" },
        { "user-id-malformed-escape", "user_id", "UB301%ZF2990F" },
        { "text-escape-lone-surrogate", "text", "help%ED%A0%80" },
        { "text-raw-invalid-utf8", "text", "help\\xC3(" },
    };

    [Theory]
    [MemberData(nameof(CommandCases))]
    public async Task MalformedCommand_IsRefusedWith4xx_AndStoresNothing(string name, string field, string raw)
    {
        var fields = new Dictionary<string, string>
        {
            ["team_id"] = SlackHost.TeamId, ["channel_id"] = "C7473C21AFD", ["user_id"] = SlackHost.UserId, ["command"] = "/crm",
            ["text"] = "help", ["response_url"] = host.Slack.ResponseUrl(name), ["trigger_id"] = "trg." + name,
        };
        var body = string.Join("&", fields.Select(f => f.Key + "=" + (f.Key == field ? raw : Uri.EscapeDataString(f.Value))));
        await AssertRefusedAsync(name, () => host.Client.PostAsync("/slack/commands", FormBody(body)));
    }

    public static TheoryData<string, string> RawInteractionCases => new()
    {
        { "payload-raw-invalid-utf8", "{\"type\":\"block_actions\",\"user\":{\"id\":\"UB301\\x80F2990F\"}}" },
        { "payload-escape-not-utf8", "%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22UB301%C3%28%22%7D%7D" },
        { "user-id-blank", "{\"type\":\"block_actions\",\"user\":{\"id\":\" \"},\"actions\":[{\"action_id\":\"a\",\"value\":\"x\"}]}" },
    };

    /// <summary>Interactions whose payload bytes are not what Slack sends: refused, not read with replacement characters.</summary>
    [Theory]
    [MemberData(nameof(RawInteractionCases))]
    public async Task MalformedInteractionBody_IsRefusedWith4xx_AndStoresNothing(string name, string payload)
    {
        await AssertRefusedAsync(name, () => host.Client.PostAsync("/slack/interactions", FormBody("payload=" + payload)));
    }

    /// <summary>A form body as given, where \xNN stands for a raw byte (so a test can send bytes that are not UTF-8).</summary>
    private static ByteArrayContent FormBody(string body)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\' && i + 3 < body.Length && body[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(body.Substring(i + 2, 2), 16));
                i += 3;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(body[i].ToString()));
        }
        var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }

    /// <summary>Sends the request and checks it was refused with a 4xx and left the store as it was.</summary>
    private async Task AssertRefusedAsync(string name, Func<Task<HttpResponseMessage>> send)
    {
        var before = Fingerprint();

        var response = await send();

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
        return $"inbound={db.ProcessedInbound.Count()} members={db.Members.Count()} activities={db.Activities.Count()} audit={db.AuditEntries.Count()}";
    });
}

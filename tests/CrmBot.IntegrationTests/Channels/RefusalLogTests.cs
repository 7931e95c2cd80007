using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.IntegrationTests.Fuzz;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace CrmBot.IntegrationTests.Channels;

/// <summary>
/// A refused request is one line in the log: exactly one warning, no error, no exception attached, no stack trace.
/// One request of each kind of refusal the edge makes, for Teams (authenticated) and Slack (signed).
/// </summary>
public class RefusalLogTests(TeamsFuzzHost teams, SlackFuzzHost slack) : IClassFixture<TeamsFuzzHost>, IClassFixture<SlackFuzzHost>
{
    public static TheoryData<string> TeamsKinds => new()
    {
        "not-utf8", "lone-surrogate", "not-json", "duplicate-key", "wrong-shape", "no-type", "missing-ids", "too-large",
    };

    public static TheoryData<string> SlackKinds => new()
    {
        "bad-signature", "too-large", "event-not-json", "event-duplicate-key", "event-without-id", "command-missing-fields",
        "command-not-utf8", "interaction-without-payload", "interaction-payload-not-object", "interaction-wrong-shape",
        "interaction-metadata-not-json",
    };

    [Theory]
    [MemberData(nameof(TeamsKinds))]
    public async Task TeamsRefusal_LogsOneWarningLine(string kind)
    {
        var activity = teams.Sample("message-personal");
        var token = teams.TokenFor(activity);
        var json = activity.ToJsonString();
        byte[] body = kind switch
        {
            "not-utf8" => [.. Encoding.UTF8.GetBytes(json[..^1]), 0xFF, (byte)'}'],
            "lone-surrogate" => Encoding.UTF8.GetBytes(json.Replace("\"text\":\"", "\"text\":\"\\ud800", StringComparison.Ordinal)),
            "not-json" => Encoding.UTF8.GetBytes(json[..(json.Length / 2)]),
            "duplicate-key" => Encoding.UTF8.GetBytes("{\"type\":\"message\"," + json[1..]),
            "wrong-shape" => With(activity, a => a["channelData"]!["tenant"] = "x"),
            "no-type" => With(activity, a => a.Remove("type")),
            "missing-ids" => With(activity, a => a["from"]!.AsObject().Remove("id")),
            "too-large" => Encoding.UTF8.GetBytes(json.Replace("\"text\":\"", "\"text\":\"" + new string('a', 300 * 1024), StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        await AssertOneWarningAsync(teams.Logs, () => teams.Client.SendAsync(request));
    }

    [Theory]
    [MemberData(nameof(SlackKinds))]
    public async Task SlackRefusal_LogsOneWarningLine(string kind)
    {
        var envelope = SlackHost.Event(SlackHost.DirectMessage("help")).ToJsonString();
        HttpRequestMessage request = kind switch
        {
            "bad-signature" => Post("/slack/events", Json(Encoding.UTF8.GetBytes(envelope)), signature: "v0=" + new string('0', 64)),
            "too-large" => Post("/slack/events", Json(new byte[300 * 1024])),
            "event-not-json" => Post("/slack/events", Json(Encoding.UTF8.GetBytes(envelope[..20]))),
            "event-duplicate-key" => Post("/slack/events", Json(Encoding.UTF8.GetBytes("{\"type\":\"x\"," + envelope[1..]))),
            "event-without-id" => Post("/slack/events", Json(Encoding.UTF8.GetBytes(envelope.Replace("\"event_id\"", "\"other\"", StringComparison.Ordinal)))),
            "command-missing-fields" => Post("/slack/commands", Form("text=help")),
            "command-not-utf8" => Post("/slack/commands", Form("command=%2Fcrm&user_id=U%FF1&team_id=T1&channel_id=C1")),
            "interaction-without-payload" => Post("/slack/interactions", Form("other=1")),
            "interaction-payload-not-object" => Post("/slack/interactions", Form("payload=%5B1%5D")),
            "interaction-wrong-shape" => Post("/slack/interactions", Form("payload=" + Uri.EscapeDataString("{\"type\":\"block_actions\",\"user\":\"U1\"}"))),
            "interaction-metadata-not-json" => Post("/slack/interactions", Form("payload=" + Uri.EscapeDataString(
                "{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\",\"team_id\":\"T1\"},\"view\":{\"id\":\"V1\",\"callback_id\":\"" + BlockKit.FormCallbackId + "\",\"private_metadata\":\"{bad\"}}"))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        await AssertOneWarningAsync(slack.Logs, () => slack.Client.SendAsync(request));
    }

    /// <summary>Sends one refused request and checks what it logged (these tests run one at a time, so the log is theirs).</summary>
    private static async Task AssertOneWarningAsync(CapturingLoggerProvider logs, Func<Task<HttpResponseMessage>> send)
    {
        logs.Clear();
        var response = await send();

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{status} {await response.Content.ReadAsStringAsync()}");
        var entries = logs.Entries;
        var warnings = entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.True(warnings.Count == 1, $"{warnings.Count} warnings: " + string.Join(" | ", entries));
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(entries, e => e.IsMultiLine);
    }

    private static byte[] With(JsonObject activity, Action<JsonObject> change)
    {
        change(activity);
        return Encoding.UTF8.GetBytes(activity.ToJsonString());
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static ByteArrayContent Form(string body)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }

    private static HttpRequestMessage Post(string path, HttpContent content, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (signature is not null)
        {
            request.Headers.Add(SlackSignature.TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(SlackSignature.SignatureHeader, signature);
        }
        return request;
    }
}

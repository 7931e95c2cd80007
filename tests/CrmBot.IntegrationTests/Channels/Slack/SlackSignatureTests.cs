using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Crm;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Channels.Slack;

public sealed class SlackProtocolHost : SlackHost
{
    public RecordingBot Bot { get; } = new();
    protected override CrmBot.Conversations.IBot TestBot => Bot;
    protected override void Configure(CrmBotFactory factory) => factory.With("Slack:MaxRequestBytes", "4096");
}

public class SlackSignatureTests(SlackProtocolHost host) : IClassFixture<SlackProtocolHost>
{
    public static TheoryData<string> Forgeries => new()
    {
        "missing both headers", "missing signature", "missing timestamp", "wrong secret", "tampered body",
        "timestamp 6 minutes old", "timestamp 6 minutes ahead", "malformed signature header", "signature without v0=",
        "non-numeric timestamp", "signature of another timestamp",
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task ForgedRequest_Is401_AndNothingIsProcessed(string forgery)
    {
        host.Bot.Reset();
        host.Slack.Clear();
        var envelope = SlackHost.Event(SlackHost.DirectMessage("follow-ups"));
        var body = envelope.ToJsonString();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Ts(long t) => t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ts = Ts(now);
        var sent = body;
        string? signature = SlackSignature.Sign(SlackHost.SigningSecret, ts, Encoding.UTF8.GetBytes(body));
        string? timestamp = ts;
        switch (forgery)
        {
            case "missing both headers": signature = null; timestamp = null; break;
            case "missing signature": signature = null; break;
            case "missing timestamp": timestamp = null; break;
            case "wrong secret": signature = SlackSignature.Sign("another-secret", ts, Encoding.UTF8.GetBytes(body)); break;
            case "tampered body": sent = body.Replace("follow-ups", "undo", StringComparison.Ordinal); break;
            case "timestamp 6 minutes old":
                timestamp = Ts(now - 360);
                signature = SlackSignature.Sign(SlackHost.SigningSecret, timestamp, Encoding.UTF8.GetBytes(body));
                break;
            case "timestamp 6 minutes ahead":
                timestamp = Ts(now + 360);
                signature = SlackSignature.Sign(SlackHost.SigningSecret, timestamp, Encoding.UTF8.GetBytes(body));
                break;
            case "malformed signature header": signature = "v0=not-hex-at-all"; break;
            case "signature without v0=": signature = signature[3..]; break;
            case "non-numeric timestamp": timestamp = ts + "abc"; break;
            case "signature of another timestamp": timestamp = Ts(now - 1); break;
        }

        var response = await SendRawAsync(sent, timestamp, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertOnlyNextValidRequestIsProcessedAsync();
    }

    [Fact]
    public async Task ValidSignature_Is200_AndTheTurnReachesTheEngine()
    {
        host.Bot.Reset();
        var response = await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("follow-ups")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["text"]!.ToString().Contains("follow-ups"));
        Assert.Single(host.Bot.Turns);
    }

    [Fact]
    public async Task OversizeBody_Is413_EvenWhenSigned()
    {
        host.Bot.Reset();
        var envelope = SlackHost.Event(SlackHost.DirectMessage(new string('x', 5000)));

        var response = await host.PostEventAsync(envelope);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertOnlyNextValidRequestIsProcessedAsync();
    }

    [Fact]
    public async Task SignedButMalformedJson_Is400_AndNothingIsProcessed()
    {
        host.Bot.Reset();
        var response = await host.Client.PostAsync("/slack/events", new StringContent("{not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertOnlyNextValidRequestIsProcessedAsync();
    }

    [Fact]
    public async Task NoSigningSecretConfigured_RefusesEvenACorrectlySignedRequest()
    {
        await using var factory = new CrmBotFactory().With("Slack:SigningSecret", "");
        using var client = factory.CreateDefaultClient(new SlackSigningHandler(SlackHost.SigningSecret));

        var response = await client.PostAsync("/slack/events",
            new StringContent(SlackHost.Sample("url-verification.json").ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendRawAsync(string body, string? timestamp, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        // Headers set by hand; with a signature present the signing handler leaves the request alone.
        if (signature is not null) request.Headers.TryAddWithoutValidation(SlackSignature.SignatureHeader, signature);
        if (timestamp is not null) request.Headers.TryAddWithoutValidation(SlackSignature.TimestampHeader, timestamp);
        if (signature is null)
        {
            using var raw = host.App.CreateClient();
            return await raw.SendAsync(request);
        }
        return await host.Client.SendAsync(request);
    }

    /// <summary>
    /// Proves the refused request left nothing behind: a valid one sent after it is processed, and it
    /// is the only turn the engine saw and the only delivery the store remembers.
    /// </summary>
    private async Task AssertOnlyNextValidRequestIsProcessedAsync()
    {
        var before = host.Scoped(sp => sp.GetRequiredService<CrmDbContext>().ProcessedInbound.Count());
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage(marker)))).StatusCode);
        await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["text"]!.ToString().Contains(marker));

        var turn = Assert.Single(host.Bot.Turns);
        Assert.Equal(marker, turn.Text);
        Assert.Equal(before + 1, host.Scoped(sp => sp.GetRequiredService<CrmDbContext>().ProcessedInbound.Count()));
    }
}

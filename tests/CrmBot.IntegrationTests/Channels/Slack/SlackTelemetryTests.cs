using System.Collections.Concurrent;
using System.Net;
using CrmBot.IntegrationTests.Hosting;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>A Slack turn is traced like a Teams one: one turn span, parent of its stages up to the reply posted.</summary>
public class SlackTelemetryTests(SlackHost host) : IClassFixture<SlackHost>
{
    [Fact]
    public async Task ASlashCommandThroughTheEndpoint_IsOneTurnSpan_ParentOfItsStages_UpToTheReplySent()
    {
        var spans = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = TelemetryTests.Listen(spans);

        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await host.PostCommandAsync("help", name)).StatusCode);
        var reply = await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name));
        Assert.True(reply.Accepted, reply.Error);

        Assert.True(await TelemetryTests.SpansShowATurnAsync(spans, "slack"), "no slack turn span holding every stage up to the send");
    }
}

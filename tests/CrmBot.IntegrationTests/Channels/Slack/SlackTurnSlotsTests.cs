using System.Net;
using CrmBot.IntegrationTests.Infrastructure;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>One turn at a time, two workers, and a test engine.</summary>
public sealed class SlackOneSlotHost : SlackHost
{
    public RecordingBot Bot { get; } = new();
    protected override CrmBot.Conversations.IBot TestBot => Bot;

    protected override void Configure(CrmBotFactory factory) =>
        factory.With("Pipeline:MaxConcurrentTurns", "1").With("Slack:Workers", "2");
}

/// <summary>
/// As for Teams, Pipeline:MaxConcurrentTurns bounds the Slack turns being worked on, not the replies on their way:
/// a slot held while Slack answers chat.postMessage would cap turns per second at Slack's latency.
/// </summary>
public class SlackTurnSlotsTests(SlackOneSlotHost host) : IClassFixture<SlackOneSlotHost>
{
    [Fact]
    public async Task AReplyStillOnItsWay_DoesNotHoldTheOnlySlot()
    {
        host.Slack.HoldAnswers();
        try
        {
            var first = await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("first", channel: "D0SLOT0001")));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["channel"]!.ToString() == "D0SLOT0001");

            // The first reply is not answered yet; with its slot still held, this turn would not run.
            var second = await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage("second", channel: "D0SLOT0002")));
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Body["channel"]!.ToString() == "D0SLOT0002");
            Assert.Equal(["first", "second"], host.Bot.Turns.Select(t => t.Text));
        }
        finally
        {
            host.Slack.ReleaseAnswers();
        }
    }
}

using System.Net;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>One turn at a time, and a Connector that answers late.</summary>
public sealed class OneSlotHost : TeamsHost
{
    public RecordingBot Bot { get; } = new();
    protected override CrmBot.Conversations.IBot TestBot => Bot;
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Pipeline:MaxConcurrentTurns", "1"), new("Bot:AcknowledgeAfter", "00:00:01")];
}

/// <summary>
/// Pipeline:MaxConcurrentTurns bounds the turns being worked on, not the replies on their way: a reply waits
/// on Teams' servers, and a slot held through that wait would cap turns per second at the Connector's
/// latency (and keep the turn's store connection busy for nothing).
/// </summary>
public class TeamsTurnSlotsTests(OneSlotHost host) : IClassFixture<OneSlotHost>
{
    [Fact]
    public async Task AReplyStillOnItsWay_DoesNotHoldTheOnlySlot()
    {
        var first = host.Sample("message-personal");
        var second = host.Sample("message-personal");
        host.Connector.HoldAnswers();
        try
        {
            var firstResponse = host.PostAsync(first);
            await host.RepliesToAsync(first["id"]!.GetValue<string>());   // arrived, not answered yet

            // With the slot still held, this would wait out the acknowledgement window and get 503.
            var secondResponse = await host.PostAsync(second);
            Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
            await host.RepliesToAsync(second["id"]!.GetValue<string>());

            host.Connector.ReleaseAnswers();
            Assert.Equal(HttpStatusCode.OK, (await firstResponse).StatusCode);
        }
        finally
        {
            host.Connector.ReleaseAnswers();
        }
    }
}

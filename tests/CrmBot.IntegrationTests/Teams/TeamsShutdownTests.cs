using System.Net;
using CrmBot.Channels.Teams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmBot.IntegrationTests.Teams;

/// <summary>
/// A reply being posted when the service starts to stop is owed: the host waits for it within its shutdown
/// timeout, and cuts it short only after that. Each test stops its own host.
/// </summary>
public class TeamsShutdownTests
{
    [Fact]
    public async Task AReplyOnItsWayWhenStoppingBegins_IsWaitedFor()
    {
        var host = new OneSlotHost();
        await host.InitializeAsync();
        try
        {
            var (runner, response) = await StartStoppingWithAHeldReplyAsync(host);

            var stop = runner.StopAsync(CancellationToken.None);
            await Task.Delay(300);
            Assert.False(stop.IsCompleted, "Stopping did not wait for the reply that was being posted.");

            host.Connector.ReleaseAnswers();
            await stop.WaitAsync(TimeSpan.FromSeconds(10));   // completes, and does not throw
            Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
        }
        finally
        {
            host.Connector.ReleaseAnswers();
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task PastTheShutdownTimeout_AHeldReplyIsCutShort_AndStoppingStillSucceeds()
    {
        var host = new OneSlotHost();
        await host.InitializeAsync();
        try
        {
            var (runner, _) = await StartStoppingWithAHeldReplyAsync(host);

            using var timedOut = new CancellationTokenSource();
            await timedOut.CancelAsync();
            await runner.StopAsync(timedOut.Token).WaitAsync(TimeSpan.FromSeconds(10));

            // The Connector still has not answered; the turn ends anyway because its POST was cancelled.
            await runner.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            host.Connector.ReleaseAnswers();
            await host.DisposeAsync();
        }
    }

    /// <summary>A message whose reply has reached the Connector, unanswered; then the host signals stopping.</summary>
    private static async Task<(TeamsTurnRunner Runner, Task<HttpResponseMessage> Response)> StartStoppingWithAHeldReplyAsync(OneSlotHost host)
    {
        var message = host.Sample("message-personal");
        host.Connector.HoldAnswers();
        var response = host.PostAsync(message);
        await host.RepliesToAsync(message["id"]!.GetValue<string>());
        // As on a real shutdown: the stopping signal first, then each hosted service's StopAsync.
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        return (host.Services.GetRequiredService<TeamsTurnRunner>(), response);
    }
}

using System.Net;
using CrmBot.Conversations.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// A reply being posted when the service starts to stop is owed: the host waits for it within its shutdown
/// timeout, and cuts it short only after that. Each test stops its own host.
/// </summary>
public class TeamsShutdownTests
{
    [Fact]
    public Task AReplyOnItsWayWhenStoppingBegins_IsWaitedFor() => StoppingWithAHeldReplyAsync(async (host, runner, response) =>
    {
        var stop = runner.StopAsync(CancellationToken.None);
        await Task.Delay(300);
        Assert.False(stop.IsCompleted, "Stopping did not wait for the reply that was being posted.");

        host.Connector.ReleaseAnswers();
        await stop.WaitAsync(TimeSpan.FromSeconds(10));   // completes, and does not throw
        Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
    });

    [Fact]
    public Task PastTheShutdownTimeout_AHeldReplyIsCutShort_AndStoppingStillSucceeds() => StoppingWithAHeldReplyAsync(async (_, runner, _) =>
    {
        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();
        await runner.StopAsync(timedOut.Token).WaitAsync(TimeSpan.FromSeconds(10));

        // The Connector still has not answered; the turn ends anyway because its POST was cancelled.
        await runner.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    });

    /// <summary>
    /// On a host of its own: a message whose reply has reached the Connector, unanswered; then the host's
    /// stopping signal, as on a real shutdown (each hosted service's StopAsync comes after it); then the test.
    /// </summary>
    private static async Task StoppingWithAHeldReplyAsync(Func<OneSlotHost, TurnPipeline, Task<HttpResponseMessage>, Task> test)
    {
        var host = new OneSlotHost();
        await host.InitializeAsync();
        try
        {
            var message = host.Sample("message-personal");
            host.Connector.HoldAnswers();
            var response = host.PostAsync(message);
            await host.RepliesToAsync(message["id"]!.GetValue<string>());
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            await test(host, host.Services.GetRequiredService<TurnPipeline>(), response);
        }
        finally
        {
            host.Connector.ReleaseAnswers();
            await host.DisposeAsync();
        }
    }
}

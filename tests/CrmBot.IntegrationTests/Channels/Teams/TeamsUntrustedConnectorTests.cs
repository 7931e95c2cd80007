using System.Net;
using CrmBot.Conversations;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// A bot whose Connector (here the fake one, as the Bot Framework Emulator or a company proxy would be) is not
/// in Bot:TrustedServiceUrlHosts, with the service's log captured.
/// </summary>
public sealed class UntrustedConnectorHost : TeamsHost
{
    public RecordingBot Bot { get; } = new();
    public CapturingLoggerProvider Logs { get; } = new();
    protected override IBot TestBot => Bot;
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Bot:TrustedServiceUrlHosts:0", "connector.elsewhere.example")];
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

/// <summary>What the admin reads when replies cannot reach a Connector the bot does not trust.</summary>
public class TeamsUntrustedConnectorTests(UntrustedConnectorHost host) : IClassFixture<UntrustedConnectorHost>
{
    [Fact]
    public async Task ReplyToAnUntrustedConnector_IsNotSent_AndTheLogNamesTheHostAndTheSetting()
    {
        var activity = host.Sample("message-personal");
        var conversation = activity["conversation"]!["id"]!.GetValue<string>();

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = await ErrorAsync(m => m.Contains("Bot:TrustedServiceUrlHosts"));
        Assert.Contains($"\"{host.Connector.HostAndPort}\"", error);
        Assert.DoesNotContain("ConnectorException", error);
        Assert.DoesNotContain(host.Connector.Requests, r => r.ConversationId == conversation);
    }

    private async Task<string> ErrorAsync(Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = host.Logs.Entries.FirstOrDefault(l => l.Level >= LogLevel.Error && match(l.Message))?.Message;
            if (found is not null) return found;
            if (timeout.IsCancellationRequested)
                Assert.Fail("No such error was logged. Errors: " + string.Join(" | ", host.Logs.Entries.Where(l => l.Level >= LogLevel.Error).Select(l => l.Message)));
            await Task.Delay(50);
        }
    }
}

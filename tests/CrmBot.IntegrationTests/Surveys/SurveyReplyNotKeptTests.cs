using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.IntegrationTests.Infrastructure;
using CrmBot.IntegrationTests.Channels.Slack;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Surveys;

public sealed class SurveyReplySlackHost : SlackHost
{
    protected override void Configure(CrmBotFactory factory) => factory
        .With("Feedback:ParticipationKey", Attacker.ParticipationKey)
        .With("Outbox:PollInterval", "00:00:00.050");
}

/// <summary>
/// A survey answer's reply that Slack refuses beyond the client's retries is not kept in the outbox (its row would
/// link the conversation to the time of an answer), while the same failure for any other reply is
/// (<see cref="SlackReplyOutboxTests"/>).
/// </summary>
public class SurveyReplyNotKeptTests(SurveyReplySlackHost host) : IClassFixture<SurveyReplySlackHost>
{
    private const int ClientAttempts = 4;

    [Fact]
    public async Task SlackAnswerSubmission_ReplyRefusedBeyondTheClientsRetries_NoOutboxRow()
    {
        await Attacker.CreateSurveyAsync(host.App.Services);
        var tag = Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var (user, channel) = ($"U{tag}", $"D{tag}");
        host.Slack.AddUser(user, "Member " + tag, "Europe/Berlin", $"m{tag}@example.com".ToLowerInvariant());
        var submission = await Attacker.SlackAnswerAsync(host, user, channel, tag, "fine " + tag);

        // Everything the answer's reply could be posted with is down beyond the client's retries.
        foreach (var method in new[] { "response_url", "chat.postEphemeral", "chat.postMessage" })
            host.Slack.FailNext(method, ClientAttempts, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await host.PostInteractionAsync(submission)).StatusCode);
        await Attacker.WaitForResponsesAsync(host.App.Services, 1);
        await host.Slack.WaitForAsync(c => !c.Accepted && c.Error == "http_503", TimeSpan.FromSeconds(10));
        await Task.Delay(1000);

        await using var scope = host.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        Assert.Empty(await db.Outbox.AsNoTracking().Where(o => o.Kind == "reply").ToListAsync());
    }
}

using CrmBot.Crm.Outbox;
using System.Net;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.Fakes.Slack;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Slack;

/// <summary>The real engine behind the Slack endpoints, with the outbox dispatcher polling often.</summary>
public sealed class SlackReplyOutboxHost : SlackHost
{
    protected override void Configure(CrmBotFactory factory) => factory
        .With("Outbox:PollInterval", "00:00:00.050")
        .With("Outbox:RetryBaseDelay", "00:00:00.050")
        .With("Outbox:RetryMaxDelay", "00:00:00.200");

    public CrmDbContext Store() =>
        Factory.OpenStore();
}

/// <summary>
/// A reply Slack still refuses after the client's own retries (rate limited, or down) is not dropped: it goes
/// to the outbox and is posted once, later, honouring Slack's Retry-After.
/// </summary>
public class SlackReplyOutboxTests(SlackReplyOutboxHost host) : IClassFixture<SlackReplyOutboxHost>
{
    // The Slack client tries a call four times (once and three retries) before it gives up.
    private const int ClientAttempts = 4;

    private async Task<string> SeedContactAsync()
    {
        var last = "Q" + Guid.NewGuid().ToString("N")[..8];
        await using var db = host.Store();
        var company = db.Companies.Add(new Company { Name = "Acme " + last, NormalizedName = CompanyNames.Key("Acme " + last) }).Entity;
        db.Contacts.Add(new Contact { FirstName = "Jane", LastName = last, Company = company });
        await db.SaveChangesAsync();
        return last;
    }

    private async Task AssertLoggedOnceAndSentRowAsync(string last)
    {
        await using var db = host.Store();
        Assert.Equal(1, await db.Activities.CountAsync(a => a.Contact!.LastName == last));
        var rows = await db.Outbox.AsNoTracking().Where(o => o.Kind == "reply" && o.PayloadJson.Contains(last)).ToListAsync();
        Assert.Equal(OutboxStatus.Sent, Assert.Single(rows).Status);
    }

    [Fact]
    public async Task LogCallInADirectMessage_PostRateLimitedBeyondTheClientsRetries_IsPostedOnceLaterByTheOutbox()
    {
        var last = await SeedContactAsync();
        var channel = "D" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var refusedAt = DateTime.MinValue;
        void Note(SlackCall call)
        {
            if (call.Method == "chat.postMessage" && !call.Accepted) refusedAt = DateTime.UtcNow;
        }
        host.Slack.Received += Note;
        try
        {
            host.Slack.FailNext("chat.postMessage", ClientAttempts, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
            var ack = await host.PostEventAsync(SlackHost.Event(SlackHost.DirectMessage($"log call with Jane {last}: discussed pricing", channel: channel)));
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

            var posted = await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Accepted && c.Body.ToJsonString().Contains(last));
            Assert.Equal(channel, posted.Body["channel"]!.GetValue<string>());
            // The outbox waited at least as long as Slack asked before it tried again.
            Assert.True(DateTime.UtcNow - refusedAt >= TimeSpan.FromSeconds(0.95), $"posted again after {DateTime.UtcNow - refusedAt}");
            Assert.Equal(ClientAttempts, host.Slack.CallsTo("chat.postMessage").Count(c => !c.Accepted && c.Body.ToJsonString().Contains(last)));

            await Task.Delay(500);
            Assert.Single(host.Slack.CallsTo("chat.postMessage"), c => c.Accepted && c.Body.ToJsonString().Contains(last));
            await AssertLoggedOnceAndSentRowAsync(last);
        }
        finally
        {
            host.Slack.Received -= Note;
        }
    }

    [Fact]
    public async Task LogCallByCommand_ResponseUrlAndEphemeralFallbackDown_IsAnsweredOnceLaterByTheOutbox()
    {
        var last = await SeedContactAsync();
        var name = "cmd-" + Guid.NewGuid().ToString("N")[..8];
        host.Slack.FailNext("response_url", ClientAttempts, HttpStatusCode.ServiceUnavailable);
        host.Slack.FailNext("chat.postEphemeral", ClientAttempts, HttpStatusCode.BadGateway);

        var ack = await host.PostCommandAsync($"log call with Jane {last}: discussed pricing", name);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var answered = await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Accepted && c.Path.EndsWith(name));
        Assert.Contains(last, answered.Body.ToJsonString());
        Assert.Equal(ClientAttempts, host.Slack.CallsTo("response_url").Count(c => !c.Accepted && c.Path.EndsWith(name)));

        await Task.Delay(500);
        Assert.Single(host.Slack.CallsTo("response_url"), c => c.Accepted && c.Path.EndsWith(name));
        Assert.DoesNotContain(host.Slack.CallsTo("chat.postEphemeral"), c => c.Accepted && c.Body.ToJsonString().Contains(last));
        await AssertLoggedOnceAndSentRowAsync(last);
    }
}

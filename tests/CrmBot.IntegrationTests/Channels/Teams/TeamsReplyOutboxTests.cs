using CrmBot.Crm.Outbox;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.Fakes.Teams;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>The real app with its outbox dispatcher polling often, so a queued reply goes out within a test.</summary>
public class ReplyOutboxHost : TeamsHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Outbox:PollInterval", "00:00:00.050"),
        new("Outbox:RetryBaseDelay", "00:00:00.050"),
        new("Outbox:RetryMaxDelay", "00:00:00.200"),
    ];
}

/// <summary>
/// A reply the Connector still refuses after the client's own retries (throttling) is not dropped: it goes
/// to the outbox and is delivered once, later, honouring the service's Retry-After.
/// </summary>
public class TeamsReplyOutboxTests(ReplyOutboxHost host) : IClassFixture<ReplyOutboxHost>
{
    // The Connector client tries a call five times (once and four retries) before it gives up.
    private const int ClientAttempts = 5;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LogCall_ReplyThrottledBeyondTheClientsRetries_IsDeliveredOnceLaterByTheOutbox(bool withRetryAfter)
    {
        var last = Guid.NewGuid().ToString("N")[..8];
        await host.WithStoreAsync(async db =>
        {
            var company = db.Companies.Add(new Company { Name = "Acme " + last, NormalizedName = CompanyNames.Key("Acme " + last) }).Entity;
            db.Contacts.Add(new Contact { FirstName = "Jane", LastName = last, Company = company });
            return await db.SaveChangesAsync();
        });
        var activity = host.Sample("message-personal");
        activity["from"]!["id"] = "29:" + Guid.NewGuid().ToString("N");
        activity["from"]!["aadObjectId"] = Guid.NewGuid().ToString();
        activity["conversation"]!["id"] = "a:" + Guid.NewGuid().ToString("N");
        activity["text"] = $"log call with Jane {last}: discussed pricing";
        var id = activity["id"]!.GetValue<string>();

        var retryAfter = TimeSpan.FromSeconds(1);
        var answers = new ConcurrentQueue<(DateTime At, int Status)>();
        void Note(ConnectorRequest r)
        {
            if (r.Body?["replyToId"]?.GetValue<string>() == id) answers.Enqueue((DateTime.UtcNow, r.Status));
        }
        host.Connector.Received += Note;
        try
        {
            host.Connector.FailNext(ClientAttempts, 429, withRetryAfter ? retryAfter : null);
            var response = await host.PostAsync(activity);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var reply = Assert.Single(await host.RepliesToAsync(id));
            Assert.Contains($"Jane {last}", reply.Body!.ToJsonString());
            Assert.Equal(ClientAttempts, answers.Count(a => a.Status == 429));
            if (withRetryAfter)
            {
                // The outbox waited at least as long as the service asked before it tried again.
                var lastRefusal = answers.Where(a => a.Status == 429).Max(a => a.At);
                var delivered = answers.Single(a => a.Status == 200).At;
                Assert.True(delivered - lastRefusal >= retryAfter - TimeSpan.FromMilliseconds(50), $"sent again after {delivered - lastRefusal}");
            }

            // Exactly once: a few dispatcher passes later there is still one reply, and one logged call.
            await Task.Delay(500);
            Assert.Single(host.Connector.Accepted, r => r.Body?["replyToId"]?.GetValue<string>() == id);
            var calls = await host.WithStoreAsync(db => db.Activities.CountAsync(a => a.Contact!.LastName == last));
            Assert.Equal(1, calls);
            var rows = await host.WithStoreAsync(db => db.Outbox.AsNoTracking().Where(o => o.Kind == "reply" && o.PayloadJson.Contains(id)).ToListAsync());
            Assert.Equal(OutboxStatus.Sent, Assert.Single(rows).Status);
        }
        finally
        {
            host.Connector.Received -= Note;
        }
    }
}

/// <summary>A stand-in engine that answers "three" with three replies, and a survey answer with a thank-you.</summary>
public sealed class ThreeRepliesBot : IBot
{
    public Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Reply>>(SurveyFeature.CarriesAnswer(turn)
            ? [new TextReply("Thanks, your answer is in.")]
            : [new TextReply("one " + turn.TurnId), new TextReply("two " + turn.TurnId), new TextReply("three " + turn.TurnId)]);
}

public sealed class ReplyOutboxBotHost : ReplyOutboxHost
{
    protected override IBot? TestBot { get; } = new ThreeRepliesBot();
}

/// <summary>What is kept of a reply: only what was not delivered, in order, and nothing of a survey answer's.</summary>
public class TeamsReplyOutboxOrderTests(ReplyOutboxBotHost host) : IClassFixture<ReplyOutboxBotHost>
{
    private const int ClientAttempts = 5;

    private JsonObject Message(string text)
    {
        var activity = host.Sample("message-personal");
        activity["from"]!["id"] = "29:" + Guid.NewGuid().ToString("N");
        activity["from"]!["aadObjectId"] = Guid.NewGuid().ToString();
        activity["conversation"]!["id"] = "a:" + Guid.NewGuid().ToString("N");
        activity["text"] = text;
        return activity;
    }

    [Fact]
    public async Task ThreeReplies_EachAfterTheFirstThrottledOnce_EachDeliveredOnceInOrder()
    {
        var activity = Message("three");
        var id = activity["id"]!.GetValue<string>();
        // The first reply goes through; then the Connector refuses the next one beyond the client's retries, first
        // for the turn (the second and third reply are kept), then for the dispatcher (the third is left).
        var accepted = 0;
        void ThrottleAfterEach(ConnectorRequest r)
        {
            if (r.Status == 200 && r.Body?["replyToId"]?.GetValue<string>() == id && Interlocked.Increment(ref accepted) < 3)
                host.Connector.FailNext(ClientAttempts, 429);
        }
        host.Connector.Received += ThrottleAfterEach;
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);
            var replies = await host.RepliesToAsync(id, 3);
            Assert.Equal(["one", "two", "three"], replies.Select(r => r.Body!["text"]!.GetValue<string>().Split(' ')[0]));

            await Task.Delay(500);
            Assert.Equal(3, host.Connector.Accepted.Count(r => r.Body?["replyToId"]?.GetValue<string>() == id));
            Assert.Equal(2 * ClientAttempts, host.Connector.Requests.Count(r => r.Status == 429 && r.Body?["replyToId"]?.GetValue<string>() == id));
            var row = await host.WithStoreAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.Kind == "reply" && o.PayloadJson.Contains(id)));
            Assert.Equal(OutboxStatus.Sent, row.Status);
            Assert.DoesNotContain("two " + id, row.PayloadJson);   // what is left after the dispatcher sent the second
        }
        finally
        {
            host.Connector.Received -= ThrottleAfterEach;
        }
    }

    [Fact]
    public async Task SurveyAnswer_ReplyThrottledBeyondTheClientsRetries_IsNotKept()
    {
        var activity = Message("");
        activity["value"] = new JsonObject { ["verb"] = SurveyFeature.AnswerVerb, ["token"] = "t" };
        var id = activity["id"]!.GetValue<string>();
        var before = await host.WithStoreAsync(db => db.Outbox.CountAsync());
        host.Connector.FailNext(ClientAttempts, 429);

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);
        await host.Connector.WaitForAsync(_ => host.Connector.Requests.Count(r => r.Body?["replyToId"]?.GetValue<string>() == id) == ClientAttempts);
        await Task.Delay(500);

        // Its row would link the conversation to the time of an answer: the reply is lost instead.
        Assert.Equal(before, await host.WithStoreAsync(db => db.Outbox.CountAsync()));
        Assert.DoesNotContain(host.Connector.Accepted, r => r.Body?["replyToId"]?.GetValue<string>() == id);
    }
}

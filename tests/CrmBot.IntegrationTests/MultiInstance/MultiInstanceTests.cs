using System.Net;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.MultiInstance;

/// <summary>
/// Two service instances on one PostgreSQL database, through their real endpoints and background services: nothing a
/// turn or a background job needs may live in only one of them.
/// </summary>
public sealed class MultiInstanceTests : IAsyncLifetime
{
    private readonly TwoInstances _two = new();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    public Task InitializeAsync() => _two.InitializeAsync();

    public Task DisposeAsync() => _two.DisposeAsync();

    private async Task SeedContactAsync(string first, string last)
    {
        await using var db = _two.Store();
        var acme = new Company { Name = "Acme" + _tag, NormalizedName = CompanyNames.Key("Acme" + _tag) };
        db.Contacts.Add(new Contact { FirstName = first, LastName = last, Company = acme });
        await db.SaveChangesAsync();
    }

    private async Task<int> ActivitiesAsync(string notes)
    {
        await using var db = _two.Store();
        return await db.Activities.CountAsync(a => a.Notes.Contains(notes));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task SameTeamsActivity_DeliveredToBothAtOnce_IsLoggedOnce_AndAnsweredOnce()
    {
        await _two.StartAsync();
        await SeedContactAsync("Jane", "Doe" + _tag);
        for (var round = 0; round < 5; round++)
        {
            var note = $"double delivery {_tag} {round}";
            var activity = _two.TeamsMessage("29:" + Guid.NewGuid().ToString("N"), "a:" + Guid.NewGuid().ToString("N"),
                $"log call with Jane Doe{_tag}: {note}");

            var responses = await Task.WhenAll(_two.PostTeamsAsync(_two.A, activity), _two.PostTeamsAsync(_two.B, activity));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var id = activity["id"]!.GetValue<string>();
            await _two.Connector.WaitForAsync(r => r.Any(x => x.Body?["replyToId"]?.GetValue<string>() == id));
            Assert.Equal(1, await ActivitiesAsync(note));
            // A second answer would have been posted by now: both requests have been answered.
            await Task.Delay(200);
            Assert.Single(_two.RepliesTo(id));
        }
    }

    [Fact]
    public async Task DialogStartedOnA_IsContinuedOnB()
    {
        await _two.StartAsync();
        await SeedContactAsync("Jane", "Doe" + _tag);
        var user = "29:" + Guid.NewGuid().ToString("N");
        var conversation = "a:" + Guid.NewGuid().ToString("N");

        var ask = _two.TeamsMessage(user, conversation, $"log call with jane doe{_tag}");
        Assert.Equal(HttpStatusCode.OK, (await _two.PostTeamsAsync(_two.A, ask)).StatusCode);
        var askId = ask["id"]!.GetValue<string>();
        var question = await _two.Connector.WaitForAsync(r => r.Any(x => x.Body?["replyToId"]?.GetValue<string>() == askId));
        Assert.Contains("Any notes?", string.Join(" ", question.Where(x => x.Body?["replyToId"]?.GetValue<string>() == askId).Select(x => x.Body!.ToJsonString())));

        var note = $"renewal terms {_tag}";
        var answer = _two.TeamsMessage(user, conversation, note);
        Assert.Equal(HttpStatusCode.OK, (await _two.PostTeamsAsync(_two.B, answer)).StatusCode);
        var answerId = answer["id"]!.GetValue<string>();
        await _two.Connector.WaitForAsync(r => r.Any(x => x.Body?["replyToId"]?.GetValue<string>() == answerId));

        await using var db = _two.Store();
        var logged = await db.Activities.Include(a => a.Contact).SingleAsync(a => a.Notes == note);
        Assert.Equal(("Jane", ActivityType.Call), (logged.Contact!.FirstName, logged.Type));
        Assert.Equal(0, await db.DialogStates.CountAsync(d => d.ConversationId == conversation));
    }

    [Fact]
    public async Task TwoOutboxDispatchers_DeliverEachMessageExactlyOnce()
    {
        await _two.StartAsync();
        const int count = 60;
        await using (var db = _two.Store())
        {
            // Due at once for both dispatchers, which poll every 50 ms.
            for (var i = 0; i < count; i++)
                ProactiveOutbox.Add(db, ProactiveAddress.ToConversation("slack", "C0MULTI"), OutboxKinds.StageChange,
                    ProactivePayload.TextOnly($"note {_tag} #{i}."), _two.Clock);
            await db.SaveChangesAsync();
        }

        await EventuallyAsync(async () =>
        {
            await using var db = _two.Store();
            return await db.Outbox.CountAsync(o => o.Status == OutboxStatus.Pending) == 0;
        }, "the outbox to drain");

        await using (var db = _two.Store())
            Assert.Equal(count, await db.Outbox.CountAsync(o => o.Status == OutboxStatus.Sent));
        var posts = _two.Slack.CallsTo("chat.postMessage").Where(c => c.Accepted).Select(c => c.Body.ToJsonString()).ToList();
        for (var i = 0; i < count; i++)
        {
            var text = $"note {_tag} #{i}.";
            Assert.True(posts.Count(p => p.Contains(text, StringComparison.Ordinal)) == 1, $"{text} was not posted exactly once");
        }
        // Both took part: the claim hands instances different rows rather than one instance everything.
        await using (var db = _two.Store())
            Assert.True(await db.Outbox.Where(o => o.Attempts != 1).CountAsync() == 0, "a message was claimed more than once");
    }

    [Fact]
    public async Task MorningDigest_GoesOutOncePerMemberPerDay_WithBothRunning()
    {
        // A Wednesday at noon UTC: every member's digest (00:00, UTC) is due, whatever day the suite runs on.
        var now = DateTimeOffset.UtcNow;
        var wednesday = now.Date.AddDays(((int)DayOfWeek.Wednesday - (int)now.DayOfWeek + 7) % 7).AddHours(12);
        _two.Clock.Advance(new DateTimeOffset(wednesday, TimeSpan.Zero) - now);
        await _two.StartAsync();
        const int members = 8;
        var ids = new List<int>();
        await using (var scope = _two.A.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<MemberService>();
            for (var i = 0; i < members; i++)
                ids.Add((await service.ResolveAsync(new MemberIdentity("slack", SlackHost.TeamId, $"U0DIG{_tag}{i}", $"Rep {i}", "UTC"), default)).Id);
        }
        await using (var db = _two.Store())
        {
            await db.Members.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.DigestTime, new TimeOnly(0, 0)));
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
                db.FollowUps.Add(new FollowUp
                {
                    Title = $"Call back {_tag}-{i}", DueAt = _two.Clock.GetUtcNow().UtcDateTime, AssigneeId = id,
                    CreatedAt = _two.Clock.GetUtcNow().UtcDateTime,
                });
            await db.SaveChangesAsync();
        }

        // Both instances' planners, passing at the same moments, several times over (as every minute all day).
        for (var pass = 0; pass < 3; pass++)
            await Task.WhenAll(PlanAsync(_two.A), PlanAsync(_two.B), PlanAsync(_two.A), PlanAsync(_two.B));

        await EventuallyAsync(async () =>
        {
            await using var db = _two.Store();
            return await db.Outbox.CountAsync(o => o.Kind == OutboxKinds.Digest && o.Status == OutboxStatus.Sent) == members;
        }, "every digest to be sent");
        await Task.Delay(300);
        await using (var db = _two.Store())
            Assert.Equal(members, await db.Outbox.CountAsync(o => o.Kind == OutboxKinds.Digest));
        var posts = _two.Slack.CallsTo("chat.postMessage").Where(c => c.Accepted).Select(c => c.Body.ToJsonString()).ToList();
        for (var i = 0; i < members; i++)
            Assert.True(posts.Count(p => p.Contains($"Call back {_tag}-{i}", StringComparison.Ordinal)) == 1, $"member {i}'s digest was not sent exactly once");
    }

    private static async Task PlanAsync(TwoInstances.Instance instance)
    {
        await using var scope = instance.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DigestPlanner>().PlanDueAsync(default);
    }

    [Fact]
    public async Task SlackWorkTakenByAKilledInstance_IsFinishedByTheOther_AfterItsLease()
    {
        var lease = TimeSpan.FromSeconds(4);
        _two.Settings["Pipeline:WorkLease"] = lease.ToString();
        _two.Settings["Pipeline:RecoveryInterval"] = "00:00:00.200";
        var dying = new DeafHangingBot();
        _two.BotOfA = dying;
        await _two.StartAsync();
        await SeedContactAsync("Jane", "Doe" + _tag);
        var note = $"pricing {_tag}";
        var name = "cmd-" + _tag;

        var acknowledgedAt = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await _two.PostSlackCommandAsync(_two.A, $"log call with Jane Doe{_tag}: discussed {note}", name)).StatusCode);
        await dying.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // A dies: its turn never ends, so it never releases its lease. Its host is told to stop and stops serving, but
        // (as a killed process) never gets to finish its shutdown; the test does not wait for it.
        _ = _two.A.DisposeAsync().AsTask();

        // B sweeps every 200 ms, but leaves A's work alone while A's lease lasts.
        while (DateTime.UtcNow < acknowledgedAt + lease - TimeSpan.FromSeconds(1))
        {
            Assert.DoesNotContain(_two.Slack.Calls, c => c.Method == "response_url" && c.Path.EndsWith(name, StringComparison.Ordinal));
            await Task.Delay(100);
        }
        var reply = await _two.Slack.WaitForAsync(c => c.Method == "response_url" && c.Path.EndsWith(name, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        Assert.True(reply.Accepted, reply.Error);
        Assert.Contains("Jane Doe", reply.Body.ToJsonString());
        await EventuallyAsync(async () =>
        {
            await using var db = _two.Store();
            return !await db.ProcessedInbound.AnyAsync(p => p.PayloadJson != null && p.PayloadJson.Contains(note));
        }, "the work to be marked done");
        Assert.Equal(1, await ActivitiesAsync(note));
        Assert.Single(_two.Slack.Calls, c => c.Method == "response_url" && c.Path.EndsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StageChangeNotifications_AreSentOnce()
    {
        await _two.StartAsync();
        int dealId;
        await using (var scope = _two.A.Services.CreateAsyncScope())
        {
            var members = scope.ServiceProvider.GetRequiredService<MemberService>();
            var owner = await members.ResolveAsync(new MemberIdentity("msteams", "tenant-multi", "29:owner-" + _tag, "Olaf", "UTC"), default);
            var manager = await members.ResolveAsync(new MemberIdentity("msteams", "tenant-multi", "29:manager-" + _tag, "Mira", "UTC"), default);
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            await db.Members.Where(m => m.Id == manager.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, MemberRole.Manager));
            await db.Members.Where(m => m.Id == owner.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ManagerId, manager.Id));
            var deals = scope.ServiceProvider.GetRequiredService<DealService>();
            dealId = (await deals.CreateAsync(new NewDeal("Globex " + _tag, 125000m, "Negotiation", Currency: "EUR"), MemberService.ActorFor(owner, "msteams"), default)).Id;
            Assert.Equal(StageMoveStatus.Moved, (await deals.MoveAsync(dealId, "won", "Signed today", MemberService.ActorFor(manager, "msteams"), default)).Status);
        }

        await _two.Connector.WaitForAsync(calls => calls.Count(c => c.Card?.ToJsonString().Contains("Globex " + _tag) == true) >= 2);
        // Both dispatchers keep polling; a second send of either card would come within this.
        await Task.Delay(500);
        var cards = _two.Connector.Accepted.Where(c => c.Card?.ToJsonString().Contains("Globex " + _tag) == true).ToList();
        Assert.Equal(2, cards.Count);
        Assert.Single(cards, c => c.ConversationId == TwoInstances.TeamChannel);
    }

    [Fact]
    public async Task TeamsEmailLookup_DueOnBothInstances_AsksTheConnectorOnce()
    {
        await _two.StartAsync();
        var user = "29:" + Guid.NewGuid().ToString("N");
        var conversation = "a:" + Guid.NewGuid().ToString("N");
        var lookups = () => _two.Connector.MemberLookups.Where(r => r.ConversationId == conversation).ToList();
        // The member's first turn: the look-up fails, so it is due again after Bot:MemberLookupRetry.
        _two.Connector.AddMember(user, $"rep.{_tag}@contoso.example");
        _two.Connector.FailMemberLookups(1, 404);
        Assert.Equal(HttpStatusCode.OK, (await _two.PostTeamsAsync(_two.A, _two.TeamsMessage(user, conversation, "help"))).StatusCode);
        await EventuallyAsync(() => Task.FromResult(lookups().Count == 1), "the first look-up");
        // Its failure is recorded just after the Connector's answer; the clock moves on only after that.
        await Task.Delay(500);
        var retry = _two.A.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CrmBot.Channels.Teams.BotOptions>>().Value.MemberLookupRetry;
        _two.Clock.Advance(retry + TimeSpan.FromMinutes(1));

        // The member's next turns reach both instances at once: both find the look-up due.
        var responses = await Task.WhenAll(
            _two.PostTeamsAsync(_two.A, _two.TeamsMessage(user, conversation, "help")),
            _two.PostTeamsAsync(_two.B, _two.TeamsMessage(user, conversation, "help")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await EventuallyAsync(async () =>
        {
            await using var db = _two.Store();
            return await db.Members.AnyAsync(m => m.UserId == user && m.Email != null);
        }, "the e-mail to be recorded");
        await Task.Delay(500);
        Assert.Equal(2, lookups().Count);
    }

    /// <summary>Plays a killed process: the turn starts and never ends, deaf to cancellation, so nothing of it is settled.</summary>
    private sealed class DeafHangingBot : IBot
    {
        private readonly TaskCompletionSource _never = new();
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            await _never.Task;
            throw new InvalidOperationException("unreachable");
        }
    }
}

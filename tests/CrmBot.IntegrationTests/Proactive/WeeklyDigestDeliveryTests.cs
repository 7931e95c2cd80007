using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using CrmBot.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Proactive;

/// <summary>
/// The weekly digest through the running app's outbox dispatcher to the loopback Teams Connector and Slack API: a
/// manager on each platform gets it once, however often (and by however many planners) it is planned that Monday.
/// </summary>
public class WeeklyDigestDeliveryTests(ProactiveHost host) : IClassFixture<ProactiveHost>
{
    // The pipeline lines name no deal: each manager's team is told apart by its amount (4,201 EUR on Teams, 4,202 EUR on Slack).

    /// <summary>The planner's "now": the latest Monday at 12:00 UTC that has passed, so its rows are due at once.</summary>
    private sealed class LastMondayNoon : TimeProvider
    {
        private readonly DateTimeOffset _now;

        public LastMondayNoon()
        {
            var today = DateTime.UtcNow.Date;
            var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7)).AddHours(12);
            if (monday > DateTime.UtcNow) monday = monday.AddDays(-7);
            _now = new DateTimeOffset(monday, TimeSpan.Zero);
        }

        public override DateTimeOffset GetUtcNow() => _now;
    }

    private async Task<int> PlanAsync(TimeProvider clock)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<WeeklyDigestPlanner>(scope.ServiceProvider, clock).PlanDueAsync(default);
    }

    private async Task<Member> ManagerWithADealAsync(string channel, string userId, string name, decimal amount)
    {
        var manager = await host.MemberAsync(channel, userId, name);
        var rep = await host.MemberAsync(channel, userId + "-rep", name + "'s rep");
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        await db.Members.Where(m => m.Id == manager.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, MemberRole.Manager));
        await db.Members.Where(m => m.Id == rep.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ManagerId, manager.Id));
        await scope.ServiceProvider.GetRequiredService<DealService>()
            .CreateAsync(new NewDeal(name + "'s deal", amount, "Proposal Sent", Currency: "EUR"), MemberService.ActorFor(rep, channel), default);
        return manager;
    }

    [Fact]
    public async Task ManagersOnTeamsAndSlack_GetTheirWeeklyDigestOnce()
    {
        var teams = await ManagerWithADealAsync("msteams", "29:weekly-manager", "Wanda", 4201m);
        var slack = await ManagerWithADealAsync("slack", "U0WEEKLY", "Walter", 4202m);
        var clock = new LastMondayNoon();

        await Task.WhenAll(PlanAsync(clock), PlanAsync(clock));
        await PlanAsync(clock);

        await host.Connector.WaitForAsync(calls => calls.Any(c => c.Card?.ToJsonString().Contains("4,201 EUR") == true));
        await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Accepted && c.Body.ToJsonString().Contains("4,202 EUR"));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var rows = await db.Outbox.AsNoTracking().Where(o => o.Kind == OutboxKinds.WeeklyDigest && (o.MemberId == teams.Id || o.MemberId == slack.Id)).ToListAsync();
            Assert.Equal(2, rows.Count);
            await Task.Delay(300);
        }

        var teamsCards = host.Connector.Accepted.Where(c => c.Card?.ToJsonString().Contains("4,201 EUR") == true).ToList();
        var card = Assert.Single(teamsCards).Card!.ToJsonString();
        Assert.Contains("Weekly digest: your team", card);
        // The forecast and stale-deal queries ran on this engine too: the deal has no expected close, and is new.
        Assert.Contains("1 open deal has no expected close date", card);
        Assert.Contains("No open deal has gone 14 days without activity or a stage change.", card);
        var posts = host.Slack.CallsTo("chat.postMessage").Where(c => c.Accepted && c.Body.ToJsonString().Contains("4,202 EUR")).ToList();
        Assert.Contains("Weekly digest: your team", Assert.Single(posts).Body.ToJsonString());
        Assert.DoesNotContain(host.Connector.Accepted, c => c.Card?.ToJsonString().Contains("4,202 EUR") == true);
    }
}

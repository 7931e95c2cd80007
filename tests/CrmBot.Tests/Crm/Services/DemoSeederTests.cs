using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm.Services;

public class DemoSeederTests
{
    [Fact]
    public async Task Seed_ForAMember_GivesDueTodayOverdueBothJanesAndAPipeline_ThenRefusesToRunAgain()
    {
        // 20:00 UTC is already tomorrow in Auckland: "today" must be the member's.
        using var crm = new CrmHost(new ManualClock(new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero)));
        var kiri = await crm.MemberAsync("Kiri", "Pacific/Auckland");

        await using (var turn = crm.Turn())
            Assert.True(await turn.Get<DemoSeeder>().SeedAsync(kiri, default));

        await using (var turn = crm.Turn())
        {
            var due = await turn.Get<FollowUpService>().DueAsync(kiri.Id, default);
            Assert.Equal(new DateOnly(2026, 11, 23), due.Today);
            Assert.NotEmpty(due.DueToday);
            Assert.NotEmpty(due.Overdue);

            var search = turn.Get<CrmSearch>();
            Assert.Equal(2, (await search.FindContactsAsync("jane", 10, default)).Count(m => m.Item.FirstName == "Jane"));
            Assert.Contains(await search.FindContactsAsync("muller", 5, default), m => m.Item.LastName == "Müller");

            var db = turn.Get<CrmDbContext>();
            var stages = await db.Deals.Select(d => d.Stage).Distinct().ToListAsync();
            Assert.True(stages.Count >= 4);
            Assert.Contains("Closed Won", stages);
            Assert.All(await db.Deals.Where(d => d.Stage.StartsWith("Closed")).ToListAsync(), d => Assert.NotNull(d.CloseReason));
            Assert.All(await db.Deals.ToListAsync(), d => Assert.Equal(kiri.Id, d.OwnerId));
            Assert.True(await db.Activities.CountAsync(a => a.OccurredAt < crm.Clock.GetUtcNow().UtcDateTime) >= 5);
            Assert.True(await db.AuditEntries.CountAsync(a => a.EntityType == "Contact" && a.Action == "created") >= 6);

            var summary = await search.SummaryAsync((await search.FindContactsAsync("jane doe", 1, default))[0].Item.Id, default);
            Assert.NotEmpty(summary!.OpenDeals);
            Assert.NotEmpty(summary.LastActivities);
            Assert.NotNull(summary.NextFollowUp);
        }

        int contacts, deals, activities, followUps;
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            (contacts, deals, activities, followUps) = (db.Contacts.Count(), db.Deals.Count(), db.Activities.Count(), db.FollowUps.Count());
            Assert.False(await turn.Get<DemoSeeder>().SeedAsync(kiri, default));
            Assert.False(await turn.Get<DemoSeeder>().SeedAsync(default));
        }
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            Assert.Equal((contacts, deals, activities, followUps), (db.Contacts.Count(), db.Deals.Count(), db.Activities.Count(), db.FollowUps.Count()));
        }
    }

    [Fact]
    public async Task Seed_WithoutMember_AssignsToTheTerminalUser()
    {
        using var crm = new CrmHost();
        await using (var turn = crm.Turn())
            Assert.True(await turn.Get<DemoSeeder>().SeedAsync(default));

        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        var me = await db.Members.SingleAsync();
        var expected = MemberService.TerminalIdentity();
        Assert.Equal(("terminal", "local", expected.UserId, expected.TimeZone), (me.Channel, me.TenantId, me.UserId, me.TimeZone));
        Assert.False(string.IsNullOrWhiteSpace(me.UserId));
        Assert.All(await db.FollowUps.ToListAsync(), f => Assert.Equal(me.Id, f.AssigneeId));
    }
}

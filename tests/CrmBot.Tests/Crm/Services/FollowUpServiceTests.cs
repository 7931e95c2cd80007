using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm.Services;

public class FollowUpServiceTests
{
    // 12:00 UTC on 22 Nov 2026 is 01:00 on the 23rd in Auckland (NZDT, +13) and 04:00 on the 22nd in Los Angeles (PST, −8).
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Due_SameInstant_AucklandAndLosAngelesSeeDifferentDays()
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var kiri = await crm.MemberAsync("Kiri", "Pacific/Auckland");
        var lee = await crm.MemberAsync("Lee", "America/Los_Angeles");
        var jane = await crm.ContactAsync("Jane", "Doe");
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            foreach (var m in new[] { kiri, lee })
            {
                // The same instant for both: 10:30 UTC on the 22nd.
                db.FollowUps.Add(new FollowUp { Title = "same instant", AssigneeId = m.Id, ContactId = jane.Id, DueAt = new DateTime(2026, 11, 22, 10, 30, 0, DateTimeKind.Utc) });
            }
            await db.SaveChangesAsync();
            var followUps = turn.Get<FollowUpService>();
            foreach (var m in new[] { kiri, lee })
            {
                var actor = MemberService.ActorFor(m, "slack");
                await followUps.CreateAsync(new NewFollowUp("due 22nd", new DateOnly(2026, 11, 22)), jane.Id, null, actor, default);
                await followUps.CreateAsync(new NewFollowUp("due 23rd", new DateOnly(2026, 11, 23)), jane.Id, null, actor, default);
                await followUps.CreateAsync(new NewFollowUp("due 24th", new DateOnly(2026, 11, 24)), jane.Id, null, actor, default);
            }
        }

        await using var check = crm.Turn();
        var service = check.Get<FollowUpService>();
        var auckland = await service.DueAsync(kiri.Id, default);
        var losAngeles = await service.DueAsync(lee.Id, default);

        Assert.Equal(new DateOnly(2026, 11, 23), auckland.Today);
        Assert.Equal("Pacific/Auckland", auckland.TimeZone);
        Assert.Equal(["due 22nd", "same instant"], auckland.Overdue.Select(f => f.Title).Order().ToList());
        Assert.Equal(["due 23rd"], auckland.DueToday.Select(f => f.Title).ToList());

        Assert.Equal(new DateOnly(2026, 11, 22), losAngeles.Today);
        Assert.Empty(losAngeles.Overdue);
        Assert.Equal(["due 22nd", "same instant"], losAngeles.DueToday.Select(f => f.Title).Order().ToList());
        Assert.Equal("Jane Doe", losAngeles.DueToday[0].Contact!.FullName);
    }

    [Fact]
    public async Task Due_FollowUpAt2330Local_IsTodayUntilLocalMidnight()
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var lee = await crm.MemberAsync("Lee", "America/Los_Angeles");
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            // 23:30 on the 22nd in Los Angeles = 07:30 UTC on the 23rd.
            db.FollowUps.Add(new FollowUp { Title = "late call", AssigneeId = lee.Id, DueAt = new DateTime(2026, 11, 23, 7, 30, 0, DateTimeKind.Utc) });
            await db.SaveChangesAsync();
        }

        async Task<string> Due()
        {
            await using var turn = crm.Turn();
            var due = await turn.Get<FollowUpService>().DueAsync(lee.Id, default);
            return $"overdue: {string.Join(",", due.Overdue.Select(f => f.Title))}; today: {string.Join(",", due.DueToday.Select(f => f.Title))}";
        }

        Assert.Equal("overdue: ; today: late call", await Due());                // 04:00 local
        crm.Clock.Set(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
        Assert.Equal("overdue: ; today: late call", await Due());                // 23:00 local
        crm.Clock.Set(new DateTimeOffset(2026, 11, 23, 7, 45, 0, TimeSpan.Zero));
        Assert.Equal("overdue: ; today: late call", await Due());                // 23:45 local: past its time, still today
        crm.Clock.Set(new DateTimeOffset(2026, 11, 23, 8, 30, 0, TimeSpan.Zero));
        Assert.Equal("overdue: late call; today: ", await Due());                // 00:30 on the 23rd: overdue
    }

    [Fact]
    public async Task Due_LeavesOutDoneOthersAndLater_IncludesSnoozedThatAreDue()
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var ana = await crm.MemberAsync("Ana");
        var bo = await crm.MemberAsync("Bo");
        var today = new DateOnly(2026, 11, 22);
        await using (var turn = crm.Turn())
        {
            var followUps = turn.Get<FollowUpService>();
            var anaActor = MemberService.ActorFor(ana, "slack");
            var done = await followUps.CreateAsync(new NewFollowUp("done", today), null, null, anaActor, default);
            await followUps.CompleteAsync(done.Id, anaActor, default);
            await followUps.CreateAsync(new NewFollowUp("bo's", today), null, null, MemberService.ActorFor(bo, "slack"), default);
            await followUps.CreateAsync(new NewFollowUp("tomorrow", today.AddDays(1)), null, null, anaActor, default);
            await followUps.CreateAsync(new NewFollowUp("mine", today), null, null, anaActor, default);
            var snoozed = await followUps.CreateAsync(new NewFollowUp("snoozed", today.AddDays(-3)), null, null, anaActor, default);
            await followUps.SnoozeAsync(snoozed.Id, SnoozeFor.UntilDate(today), anaActor, default);
        }

        await using var check = crm.Turn();
        var due = await check.Get<FollowUpService>().DueAsync(ana.Id, default);
        Assert.Empty(due.Overdue);
        Assert.Equal(["mine", "snoozed"], due.DueToday.Select(f => f.Title).Order().ToList());
    }

    [Fact]
    public async Task Due_UnknownMember_Throws()
    {
        using var crm = new CrmHost();
        await using var turn = crm.Turn();
        await Assert.ThrowsAsync<CrmException>(() => turn.Get<FollowUpService>().DueAsync(99, default));
    }

    [Fact]
    public async Task Complete_MarksDoneOnce_AndAudits()
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var ana = await crm.MemberAsync("Ana");
        var actor = MemberService.ActorFor(ana, "msteams");
        int id;
        await using (var turn = crm.Turn())
            id = (await turn.Get<FollowUpService>().CreateAsync(new NewFollowUp("call back", new DateOnly(2026, 11, 22)), null, null, actor, default)).Id;

        await using (var turn = crm.Turn())
        {
            var service = turn.Get<FollowUpService>();
            var first = await service.CompleteAsync(id, actor, default);
            Assert.Equal(FollowUpOutcomeKind.Done, first.Kind);
            Assert.Equal(FollowUpOutcomeKind.AlreadyDone, (await service.CompleteAsync(id, actor, default)).Kind);
            Assert.Equal(FollowUpOutcomeKind.NotFound, (await service.CompleteAsync(id + 100, actor, default)).Kind);
        }

        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        var item = await db.FollowUps.SingleAsync();
        Assert.Equal(FollowUpStatus.Done, item.Status);
        Assert.Equal(Noon.UtcDateTime, item.CompletedAt);
        var audit = Assert.Single(db.AuditEntries.Where(a => a.Action == "completed"));
        Assert.Equal(("FollowUp", id.ToString(), "Open", "Done", "msteams"), (audit.EntityType, audit.EntityId, audit.OldValue, audit.NewValue, audit.Channel));
    }

    [Theory]
    [InlineData("day", "2026-11-24")]      // today in Auckland is the 23rd
    [InlineData("week", "2026-11-30")]
    [InlineData("until", "2026-12-05")]
    public async Task Snooze_MovesDueToEndOfThatLocalDay(string how, string expected)
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var kiri = await crm.MemberAsync("Kiri", "Pacific/Auckland");
        var actor = MemberService.ActorFor(kiri, "slack");
        int id;
        await using (var turn = crm.Turn())
            id = (await turn.Get<FollowUpService>().CreateAsync(new NewFollowUp("call", new DateOnly(2026, 11, 20)), null, null, actor, default)).Id;

        var snooze = how switch { "day" => SnoozeFor.OneDay, "week" => SnoozeFor.OneWeek, _ => SnoozeFor.UntilDate(new DateOnly(2026, 12, 5)) };
        await using (var turn = crm.Turn())
            Assert.Equal(FollowUpOutcomeKind.Snoozed, (await turn.Get<FollowUpService>().SnoozeAsync(id, snooze, actor, default)).Kind);

        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        var item = await db.FollowUps.SingleAsync();
        var date = DateOnly.Parse(expected);
        Assert.Equal(FollowUpStatus.Snoozed, item.Status);
        Assert.Equal(LocalDay.EndUtc(date, LocalDay.Zone("Pacific/Auckland")), item.DueAt);
        Assert.Equal(date, LocalDay.DateOf(item.DueAt, LocalDay.Zone("Pacific/Auckland")));
        var audit = Assert.Single(db.AuditEntries.Where(a => a.Action == "snoozed"));
        Assert.Equal(("2026-11-20", expected), (audit.OldValue, audit.NewValue));
        // No longer overdue, not due today.
        var due = await check.Get<FollowUpService>().DueAsync(kiri.Id, default);
        Assert.Empty(due.Overdue.Concat(due.DueToday));
    }

    [Fact]
    public async Task Snooze_IntoThePast_IsRefusedAndChangesNothing_DoneItemIsAlreadyDone()
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var ana = await crm.MemberAsync("Ana");
        var actor = MemberService.ActorFor(ana, "slack");
        FollowUp item;
        await using (var turn = crm.Turn())
            item = await turn.Get<FollowUpService>().CreateAsync(new NewFollowUp("call", new DateOnly(2026, 11, 22)), null, null, actor, default);

        await using (var turn = crm.Turn())
        {
            var service = turn.Get<FollowUpService>();
            await Assert.ThrowsAsync<CrmException>(() => service.SnoozeAsync(item.Id, SnoozeFor.UntilDate(new DateOnly(2026, 11, 21)), actor, default));
            Assert.Equal(FollowUpOutcomeKind.NotFound, (await service.SnoozeAsync(item.Id + 1, SnoozeFor.OneDay, actor, default)).Kind);
        }
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            var same = await db.FollowUps.SingleAsync();
            Assert.Equal((FollowUpStatus.Open, item.DueAt), (same.Status, same.DueAt));
            Assert.DoesNotContain(db.AuditEntries, a => a.Action == "snoozed");
            await turn.Get<FollowUpService>().CompleteAsync(item.Id, actor, default);
            Assert.Equal(FollowUpOutcomeKind.AlreadyDone, (await turn.Get<FollowUpService>().SnoozeAsync(item.Id, SnoozeFor.OneDay, actor, default)).Kind);
        }
    }

    [Fact]
    public async Task Create_ForDeal_TakesTheDealsContact_UnknownIdsThrowAndWriteNothing()
    {
        using var crm = new CrmHost(new ManualClock(Noon));
        var ana = await crm.MemberAsync("Ana");
        var jane = await crm.ContactAsync("Jane", "Doe");
        var deal = await crm.DealAsync("Acme renewal", ana, contactId: jane.Id);
        var actor = MemberService.ActorFor(ana, "slack");

        await using (var turn = crm.Turn())
        {
            var service = turn.Get<FollowUpService>();
            var item = await service.CreateAsync(new NewFollowUp("send contract", new DateOnly(2026, 11, 25)), null, deal.Id, actor, default);
            Assert.Equal((jane.Id, deal.Id, ana.Id), (item.ContactId, item.DealId, item.AssigneeId));
            await Assert.ThrowsAsync<CrmException>(() => service.CreateAsync(new NewFollowUp("x", new DateOnly(2026, 11, 25)), 999, null, actor, default));
            await Assert.ThrowsAsync<CrmException>(() => service.CreateAsync(new NewFollowUp("x", new DateOnly(2026, 11, 25)), null, 999, actor, default));
        }
        await using var check = crm.Turn();
        Assert.Single(check.Get<CrmDbContext>().FollowUps);
    }
}

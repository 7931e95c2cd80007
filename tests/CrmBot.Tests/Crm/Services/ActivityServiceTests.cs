using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm.Services;

public class ActivityServiceTests
{
    [Fact]
    public async Task Log_WithFollowUp_WritesBothAndAuditsBoth()
    {
        using var crm = new CrmHost();
        var rep = await crm.MemberAsync("Ana", "Europe/Berlin");
        var jane = await crm.ContactAsync("Jane", "Doe", "Acme Inc");
        var actor = MemberService.ActorFor(rep, "slack");

        await using (var turn = crm.Turn())
        {
            var logged = await turn.Get<ActivityService>().LogAsync(
                new LogActivity(jane.Id, ActivityType.Call, " discussed renewal pricing ", Outcome: "positive",
                    MessageLink: "https://slack.example/p1", FollowUp: new NewFollowUp("Send pricing", new DateOnly(2026, 11, 24))),
                actor, default);
            Assert.NotNull(logged.FollowUp);
            // The reply names the company, though nothing in this unit of work had loaded the contact before.
            Assert.Equal("Acme Inc", logged.Activity.Contact?.Company?.Name);
            Assert.Equal("Ana", logged.Activity.LoggedBy?.DisplayName);
        }

        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            var activity = await db.Activities.SingleAsync();
            Assert.Equal("discussed renewal pricing", activity.Notes);
            Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime, activity.OccurredAt);
            Assert.Equal("slack", activity.Channel);
            Assert.Equal(rep.Id, activity.LoggedById);
            var followUp = await db.FollowUps.SingleAsync();
            Assert.Equal(activity.Id, followUp.ActivityId);
            Assert.Equal(jane.Id, followUp.ContactId);
            Assert.Equal(rep.Id, followUp.AssigneeId);
            Assert.Equal(FollowUpStatus.Open, followUp.Status);
            // End of 24 November in Berlin (UTC+1) is 22:59:59 UTC.
            Assert.Equal(new DateTime(2026, 11, 24, 22, 59, 59, DateTimeKind.Utc), followUp.DueAt);
        }

        var audit = await crm.AuditAsync();
        var activityAudit = Assert.Single(audit, a => a.EntityType == "Activity");
        Assert.Equal(("created", rep.Id, "Ana", "slack"), (activityAudit.Action, activityAudit.MemberId, activityAudit.Actor, activityAudit.Channel));
        Assert.Contains("Jane Doe", activityAudit.NewValue);
        Assert.Equal(crm.Clock.GetUtcNow().UtcDateTime, activityAudit.At);
        Assert.Single(audit, a => a.EntityType == "FollowUp" && a.Action == "created");
    }

    [Fact]
    public async Task Log_UnknownContact_ThrowsAndWritesNothing()
    {
        using var crm = new CrmHost();
        var rep = await crm.MemberAsync("Ana");
        var auditBefore = (await crm.AuditAsync()).Count;

        await using var turn = crm.Turn();
        await Assert.ThrowsAsync<CrmException>(() => turn.Get<ActivityService>().LogAsync(
            new LogActivity(4242, ActivityType.Call, "x", FollowUp: new NewFollowUp("y", new DateOnly(2026, 11, 23))),
            MemberService.ActorFor(rep, "slack"), default));

        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        Assert.Empty(db.Activities);
        Assert.Empty(db.FollowUps);
        Assert.Equal(auditBefore, db.AuditEntries.Count());
    }

    [Fact]
    public async Task Log_UnknownDeal_ThrowsAndWritesNothing()
    {
        using var crm = new CrmHost();
        var rep = await crm.MemberAsync("Ana");
        var jane = await crm.ContactAsync("Jane", "Doe");

        await using var turn = crm.Turn();
        await Assert.ThrowsAsync<CrmException>(() => turn.Get<ActivityService>().LogAsync(
            new LogActivity(jane.Id, ActivityType.Call, "x", DealId: 77), MemberService.ActorFor(rep, "slack"), default));

        await using var check = crm.Turn();
        Assert.Empty(check.Get<CrmDbContext>().Activities);
    }

    [Fact]
    public async Task Undo_RemovesTheActorsOwnLogAndItsFollowUp_AuditsIt_AndNeverAnotherMembersLog()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var bo = await crm.MemberAsync("Bo");
        var jane = await crm.ContactAsync("Jane", "Doe");
        var anaActor = MemberService.ActorFor(ana, "msteams");
        int first, second, bos;

        await using (var turn = crm.Turn())
        {
            var activities = turn.Get<ActivityService>();
            first = (await activities.LogAsync(new LogActivity(jane.Id, ActivityType.Call, "first"), anaActor, default)).Activity.Id;
            second = (await activities.LogAsync(new LogActivity(jane.Id, ActivityType.Meeting, "second",
                FollowUp: new NewFollowUp("Next", new DateOnly(2026, 11, 30))), anaActor, default)).Activity.Id;
            bos = (await activities.LogAsync(new LogActivity(jane.Id, ActivityType.Email, "bo's"), MemberService.ActorFor(bo, "slack"), default)).Activity.Id;
        }

        await using (var turn = crm.Turn())
        {
            var activities = turn.Get<ActivityService>();
            Assert.Null(await activities.UndoAsync(bos, anaActor, default));
            var undone = await activities.UndoAsync(second, anaActor, default);
            Assert.Equal("second", undone?.Activity.Notes);
            Assert.Equal(["Next"], undone!.FollowUps.Select(f => f.Title));
        }

        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            Assert.Equal(["bo's", "first"], db.Activities.OrderBy(a => a.Notes).Select(a => a.Notes).ToList());
            Assert.Empty(db.FollowUps);
            var audit = db.AuditEntries.Where(a => a.Action == "undone").ToList();
            Assert.Contains(audit, a => a.EntityType == "Activity" && a.OldValue!.Contains("second") && a.NewValue == null && a.Channel == "msteams");
            Assert.Contains(audit, a => a.EntityType == "FollowUp" && a.OldValue!.Contains("Next"));
        }

        await using (var turn = crm.Turn())
        {
            Assert.Null(await turn.Get<ActivityService>().UndoAsync(second, anaActor, default));
            Assert.Equal("first", (await turn.Get<ActivityService>().UndoAsync(first, anaActor, default))?.Activity.Notes);
        }
    }
}

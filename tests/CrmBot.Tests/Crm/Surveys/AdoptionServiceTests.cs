using CrmBot.Conversations.Surveys;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;

namespace CrmBot.Tests.Crm.Surveys;

/// <summary>
/// Adoption figures on a small seeded store, against values worked out by hand (in the comments).
/// Now is Sunday 2026-11-22 12:00 UTC; the 7-day period is Nov 16–22, 30 days from Oct 24, 90 from Aug 25.
/// </summary>
public sealed class AdoptionServiceTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);
    private readonly TestStore _store = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(Now));
    private readonly Member _admin, _manager, _r1, _r2, _r3;

    public AdoptionServiceTests()
    {
        using var db = _store.NewContext();
        Member M(string name, MemberRole role, DateTime? lastSeen) => new()
        {
            Channel = "slack", TenantId = "T1", UserId = "U" + name, DisplayName = name, Role = role, CreatedAt = Now.AddDays(-200), LastSeenAt = lastSeen,
        };
        _admin = M("Ada", MemberRole.Admin, Now.AddDays(-5));
        _manager = M("Max", MemberRole.Manager, null);
        db.Members.AddRange(_admin, _manager);
        db.SaveChanges();
        _r1 = M("Rae", MemberRole.Rep, Now);
        _r2 = M("Rob", MemberRole.Rep, Now.AddDays(-1));
        _r3 = M("Ray", MemberRole.Rep, Now.AddDays(-45));
        _r1.ManagerId = _manager.Id;
        _r2.ManagerId = _manager.Id;
        db.Members.AddRange(_r1, _r2, _r3);
        db.SaveChanges();

        Contact C(string name, Member? owner, string? email, string? phone, int daysAgo) => new()
        {
            FirstName = name, OwnerId = owner?.Id, Email = email, Phone = phone, CreatedAt = Now.AddDays(-daysAgo), UpdatedAt = Now.AddDays(-daysAgo),
        };
        var c1 = C("Cy", _r1, "cy@example.com", "+14155550100", 2);
        db.Contacts.AddRange(c1, C("Cal", _r2, "cal@example.com", null, 20), C("Cat", _r3, "cat@example.com", "+14155550101", 60), C("Cora", null, null, null, 1));
        db.SaveChanges();

        void Act(Member who, DateTime at, string entity = "Activity", string action = "created")
        {
            db.AuditEntries.Add(new AuditEntry { At = at, MemberId = who.Id, Actor = who.DisplayName, Channel = "slack", EntityType = entity, EntityId = "1", Action = action });
            if (entity == "Activity")
                db.Activities.Add(new Activity { Type = ActivityType.Call, ContactId = c1.Id, LoggedById = who.Id, Channel = "slack", OccurredAt = at, CreatedAt = at });
        }
        Act(_r1, Now.Date.AddHours(9));
        Act(_r1, Now.Date.AddHours(10), "FollowUp", "completed");
        Act(_r1, Now.AddDays(-3));
        Act(_r1, Now.AddDays(-10), "Deal", "stage");
        Act(_r2, Now.AddDays(-1));
        Act(_r2, Now.AddDays(-40));
        Act(_r3, Now.Date.AddHours(8));
        Act(_r3, Now.AddDays(-100));
        Act(_admin, Now.AddDays(-5), "Survey", "created");

        FollowUp F(Member who, int dueDaysAgo, FollowUpStatus status, int? completedDaysAgo) => new()
        {
            Title = "f", AssigneeId = who.Id, DueAt = Now.AddDays(-dueDaysAgo), Status = status,
            CompletedAt = completedDaysAgo is { } d ? Now.AddDays(-d) : null, CreatedAt = Now.AddDays(-30),
        };
        db.FollowUps.AddRange(
            F(_r1, 2, FollowUpStatus.Done, 3),     // on time
            F(_r1, 1, FollowUpStatus.Done, 0),     // late
            F(_r2, 5, FollowUpStatus.Open, null),  // missed
            F(_r2, 20, FollowUpStatus.Done, 21),   // on time, outside 7 days
            F(_r3, -1, FollowUpStatus.Open, null)); // not due yet
        db.SaveChanges();
    }

    public void Dispose() => _store.Dispose();

    private async Task<AdoptionReport> ReportFor(Member caller)
    {
        using var db = _store.NewContext();
        return await new AdoptionService(db, _clock, Microsoft.Extensions.Options.Options.Create(new FeedbackOptions())).ReportAsync(caller, CancellationToken.None);
    }

    [Fact]
    public async Task Admin_SeesEveryone_FiguresMatchHandComputedValues()
    {
        var report = await ReportFor(_admin);
        Assert.Equal("everyone", report.Scope);
        var (week, month, quarter) = (report.Periods[0], report.Periods[1], report.Periods[2]);

        Assert.Equal((7, new DateOnly(2026, 11, 16), 5), (week.Days, week.From, week.Members));
        // Active (member, day): Nov19 Rae, Nov21 Rob, Nov22 Rae+Ray = 4 over 7 days; Ada's survey is not CRM work.
        Assert.Equal(0.57, week.ActivePerDay);
        Assert.Equal(3, week.ActivePerWeek);
        Assert.Equal(3, week.ActiveInPeriod);
        Assert.Equal(3, week.SeenInPeriod);                  // Rae, Rob, Ada
        Assert.Equal(4, week.ActivitiesLogged);
        Assert.Equal(0.8, week.ActivitiesPerMemberPerWeek);  // 4 / 5 members / 1 week
        Assert.Equal((3, 1), (week.FollowUpsDue, week.FollowUpsOnTime));
        Assert.Equal(33.3, week.FollowUpsOnTimePercent);
        Assert.Equal((2, 1, 1, 1), (week.ContactsAdded, week.ContactsComplete, week.ContactsWithEmail, week.ContactsWithPhone));
        Assert.Equal(50, week.ContactsCompletePercent);
        Assert.Equal([new CommandUse("log", 4), new CommandUse("done", 1), new CommandUse("survey new", 1)], week.Commands);

        // + Nov12 Rae: 5 active days over 30; weekly blocks 3, 1, 0, 0.
        Assert.Equal(0.17, month.ActivePerDay);
        Assert.Equal(1, month.ActivePerWeek);
        Assert.Equal(3, month.SeenInPeriod);
        Assert.Equal(0.19, month.ActivitiesPerMemberPerWeek);  // 4 / 5 / (30/7)
        Assert.Equal((4, 2), (month.FollowUpsDue, month.FollowUpsOnTime));
        Assert.Equal((3, 1), (month.ContactsAdded, month.ContactsComplete));
        Assert.Equal([new CommandUse("log", 4), new CommandUse("done", 1), new CommandUse("stage", 1), new CommandUse("survey new", 1)], month.Commands);

        // + Oct13 Rob; the 100-day-old entry is outside every period.
        Assert.Equal(0.07, quarter.ActivePerDay);             // 6 / 90
        Assert.Equal(0.42, quarter.ActivePerWeek);            // 5 over 12 blocks
        Assert.Equal(4, quarter.SeenInPeriod);                // Ray was seen 45 days ago
        Assert.Equal(5, quarter.ActivitiesLogged);
        Assert.Equal((4, 2), (quarter.ContactsAdded, quarter.ContactsComplete));
        Assert.Equal(5, quarter.Commands.Single(c => c.Label == "log").Count);
    }

    private void AddToTeam(Member manager, params string[] names)
    {
        using var db = _store.NewContext();
        foreach (var name in names)
            db.Members.Add(new Member { Channel = "slack", TenantId = "T1", UserId = "U" + name, DisplayName = name, ManagerId = manager.Id, CreatedAt = Now.AddDays(-200) });
        db.SaveChanges();
    }

    [Fact]
    public async Task Manager_SeesOnlyTheirTeam()
    {
        AddToTeam(_manager, "Rik", "Roy", "Rue");             // a team of k = 5, three of them quiet
        var week = (await ReportFor(_manager)).Periods[0];
        Assert.Equal(5, week.Members);
        Assert.Equal(0.43, week.ActivePerDay);                // Nov19 Rae, Nov21 Rob, Nov22 Rae = 3 / 7
        Assert.Equal(2, week.ActivePerWeek);
        Assert.Equal(0.6, week.ActivitiesPerMemberPerWeek);   // 3 / 5 / 1
        Assert.Equal((3, 1), (week.FollowUpsDue, week.FollowUpsOnTime));
        Assert.Equal((1, 1), (week.ContactsAdded, week.ContactsComplete));   // Cy (Rae's); Cora has no owner
        Assert.Equal([new CommandUse("log", 3), new CommandUse("done", 1)], week.Commands);
    }

    [Fact]
    public async Task OnlyCrmWork_CountsAsActive_NotTheInstallNorANameRefresh()
    {
        using (var db = _store.NewContext())
        {
            // Ivy installed the app (her first message) and had her name refreshed by the channel, nothing else.
            var ivy = new Member { Channel = "slack", TenantId = "T1", UserId = "UIvy", DisplayName = "Ivy", CreatedAt = Now.AddHours(-2), LastSeenAt = Now };
            db.Members.Add(ivy);
            db.SaveChanges();
            foreach (var action in new[] { "created", "updated" })
                db.AuditEntries.Add(new AuditEntry { At = Now.AddHours(-1), MemberId = ivy.Id, Actor = "Ivy", Channel = "slack", EntityType = "Member", EntityId = ivy.Id.ToString(), Action = action });
            db.SaveChanges();
        }

        var week = (await ReportFor(_admin)).Periods[0];

        Assert.Equal(3, week.ActiveInPeriod);                 // Rae, Rob, Ray: neither Ivy nor Ada's survey
        Assert.Equal(4, week.SeenInPeriod);                   // Ivy was seen, that is all
        Assert.Contains(new CommandUse("first message", 1), week.Commands);
    }

    [Fact]
    public async Task Manager_WithATeamSmallerThanK_GetsNoTeamFigures()
    {
        // Max's team is Rae and Rob: "1 of 2 active" would name the other one.
        var report = await ReportFor(_manager);

        Assert.True(report.Withheld);
        Assert.Equal((2, 5), (report.Members, report.MinimumMembers));
        Assert.Empty(report.Periods);
        var text = AdoptionFeature.Render(report);
        Assert.Contains("2 members", text);
        Assert.Contains("at least 5", text);
        Assert.DoesNotContain("active members per day", text);
    }

    [Fact]
    public async Task TheTable_KeepsItsColumnsApart_AndAligned()
    {
        using (var db = _store.NewContext())
        {
            // Two missed follow-ups 10 days ago: 30 and 90 days then read "33.3% of 6", as wide as a column was.
            for (var i = 0; i < 2; i++)
                db.FollowUps.Add(new FollowUp { Title = "f", AssigneeId = _r1.Id, DueAt = Now.AddDays(-10), Status = FollowUpStatus.Open, CreatedAt = Now.AddDays(-30) });
            db.SaveChanges();
        }
        var text = AdoptionFeature.Render(await ReportFor(_admin));
        var rows = text.Split("```")[1].Split('\n')
            .Where(l => l.Trim().Length > 0 && !l.StartsWith("recorded", StringComparison.Ordinal)).ToList();

        Assert.Contains(rows, l => l.Contains("33.3% of 6  ", StringComparison.Ordinal));
        Assert.All(rows, l => Assert.Equal(rows[0].Length, l.Length));   // right-aligned columns end together
        foreach (var line in rows)
        {
            // A label, then one value per period, each at least two spaces from the one before.
            var values = System.Text.RegularExpressions.Regex.Split(line.Trim(), @"\s{2,}");
            Assert.True(values.Length is 3 or 4, $"columns run together: '{line}'");
        }
    }

    [Fact]
    public async Task Rep_IsRefused() =>
        await Assert.ThrowsAsync<NotAllowedException>(() => ReportFor(_r1));
}

using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

/// <param name="Label">The command, or "EntityType action" for audited changes no command name is known for.</param>
public sealed record CommandUse(string Label, int Count);

/// <summary>
/// Adoption over the last <see cref="Days"/> UTC days (today included). Every figure is read from
/// records the CRM keeps anyway: activities, follow-ups, contacts, audit entries, members' LastSeenAt.
/// </summary>
/// <param name="ActivePerDay">Average, over the days, of members who did CRM work that day (<see cref="AdoptionService.IsCrmWork"/>).</param>
/// <param name="ActivePerWeek">Average, over the whole 7-day blocks counted back from today, of members active in the block.</param>
/// <param name="ActiveInPeriod">Members who did CRM work at least once in the period.</param>
/// <param name="SeenInPeriod">Members whose last message falls in the period (reading counts; a change is not needed).</param>
/// <param name="ActivitiesPerMemberPerWeek">Activities logged, per member in scope, per 7 days.</param>
/// <param name="FollowUpsDue">Follow-ups whose due time fell in the period (up to now).</param>
/// <param name="FollowUpsOnTime">Of those, done no later than due.</param>
/// <param name="ContactsAdded">Contacts created in the period (owned by the team, for a manager).</param>
/// <param name="ContactsComplete">Of those, with both a valid email and a valid phone (invalid ones are never stored).</param>
/// <param name="Commands">Recorded changes by command, most used first. Reading commands (today, summary, help)
/// change nothing and leave no record, so they are not counted.</param>
public sealed record AdoptionPeriod(
    int Days,
    DateOnly From,
    DateOnly To,
    int Members,
    double ActivePerDay,
    double ActivePerWeek,
    int ActiveInPeriod,
    int SeenInPeriod,
    int ActivitiesLogged,
    double ActivitiesPerMemberPerWeek,
    int FollowUpsDue,
    int FollowUpsOnTime,
    int ContactsAdded,
    int ContactsWithEmail,
    int ContactsWithPhone,
    int ContactsComplete,
    IReadOnlyList<CommandUse> Commands)
{
    public double? FollowUpsOnTimePercent => Percent(FollowUpsOnTime, FollowUpsDue);
    public double? ContactsCompletePercent => Percent(ContactsComplete, ContactsAdded);
    public double? ContactsWithEmailPercent => Percent(ContactsWithEmail, ContactsAdded);
    public double? ContactsWithPhonePercent => Percent(ContactsWithPhone, ContactsAdded);

    private static double? Percent(int part, int whole) => whole == 0 ? null : Math.Round(100.0 * part / whole, 1);
}

/// <param name="Scope">"everyone" for an admin, "the team of {name}" for a manager.</param>
/// <param name="MinimumMembers">The smallest team a manager sees figures for (Feedback:MinResponses).</param>
/// <param name="Periods">Empty when <see cref="Withheld"/>.</param>
public sealed record AdoptionReport(string Scope, int Members, int MinimumMembers, IReadOnlyList<AdoptionPeriod> Periods)
{
    /// <summary>A manager's team below the minimum: "1 of 2 active" would point at the other one.</summary>
    public bool Withheld => Periods.Count == 0;
}

/// <summary>
/// How the CRM is being used, for admins (everyone) and managers (their own team). Figures are
/// never per person; a manager's team figures need at least k members (the survey minimum), since
/// in a smaller team an aggregate names people. Admins see everyone: they can read the audit trail
/// itself, so hiding an aggregate from them would protect no one.
/// </summary>
public sealed class AdoptionService(CrmDbContext db, TimeProvider time, IOptions<FeedbackOptions> options)
{
    public static readonly int[] DefaultPeriods = [7, 30, 90];

    /// <summary>
    /// Audit entries (entity, action) and the command that makes them. Null: a side effect of another
    /// command (undo also removes the log's follow-up), not counted twice. Anything not listed is
    /// shown as "entity action", so nothing recorded goes missing.
    /// </summary>
    private static readonly Dictionary<(string Entity, string Action), string?> CommandNames = new()
    {
        [("Activity", "created")] = "log",
        [("Activity", "undone")] = "undo",
        [("FollowUp", "undone")] = null,
        [("FollowUp", "created")] = "follow-up (new)",
        [("FollowUp", "completed")] = "done",
        [("FollowUp", "snoozed")] = "snooze",
        [("Deal", "stage")] = "stage",
        [("Deal", "created")] = "new deal",
        [("Contact", "created")] = "new contact",
        [("Contact", "updated")] = "edit contact",
        [("Contact", "merged")] = "merge",
        [("Member", "created")] = "first message",
        [("Member", "updated")] = null,   // name / zone refreshed by the channel, not something anyone typed
        [("Member", "role")] = "promote",
        [("Member", "manager")] = "assign",
        [("Survey", "created")] = "survey new",
        [("Survey", "closed")] = "survey close",
        [("Survey", "reopened")] = "survey reopen",
        [("Survey", "exported")] = "survey export",
    };

    /// <summary>
    /// CRM work: what makes a member active. Logging, creating or completing a follow-up, moving or
    /// adding a deal, adding or editing a contact; not the first message (installing the app), a
    /// name refreshed by the channel, roles, or survey administration.
    /// </summary>
    private static readonly HashSet<(string Entity, string Action)> CrmWork =
    [
        ("Activity", "created"), ("FollowUp", "created"), ("FollowUp", "completed"),
        ("Deal", "created"), ("Deal", "stage"), ("Contact", "created"), ("Contact", "updated"), ("Contact", "merged"),
    ];

    public static bool IsCrmWork(string entityType, string action) => CrmWork.Contains((entityType, action));

    public async Task<AdoptionReport> ReportAsync(Member caller, CancellationToken ct, params int[] periods)
    {
        if (periods.Length == 0)
            periods = DefaultPeriods;
        List<int> scope;
        string scopeName;
        switch (caller.Role)
        {
            case MemberRole.Admin:
                scope = await db.Members.AsNoTracking().Select(m => m.Id).ToListAsync(ct);
                scopeName = "everyone";
                break;
            case MemberRole.Manager:
                scope = await db.Members.AsNoTracking().Where(m => m.ManagerId == caller.Id).Select(m => m.Id).ToListAsync(ct);
                scopeName = $"the team of {caller.DisplayName}";
                break;
            default:
                throw new NotAllowedException("Adoption figures are for admins, and for managers about their own team.");
        }
        var minimum = options.Value.MinResponses;
        if (caller.Role == MemberRole.Manager && scope.Count < minimum)
            return new AdoptionReport(scopeName, scope.Count, minimum, []);

        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var earliest = today.AddDays(1 - periods.Max()).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        // One read per source for the longest period; shorter periods are cut from it in memory.
        var audit = await db.AuditEntries.AsNoTracking()
            .Where(a => a.At >= earliest && a.At <= now && a.MemberId != null && scope.Contains(a.MemberId.Value))
            .Select(a => new { MemberId = a.MemberId!.Value, a.At, a.EntityType, a.Action })
            .ToListAsync(ct);
        var activities = await db.Activities.AsNoTracking()
            .Where(a => a.CreatedAt >= earliest && a.CreatedAt <= now && scope.Contains(a.LoggedById))
            .Select(a => new { a.LoggedById, a.CreatedAt })
            .ToListAsync(ct);
        var followUps = await db.FollowUps.AsNoTracking()
            .Where(f => f.DueAt >= earliest && f.DueAt <= now && scope.Contains(f.AssigneeId))
            .Select(f => new { f.DueAt, f.Status, f.CompletedAt })
            .ToListAsync(ct);
        var contactsQuery = db.Contacts.AsNoTracking().Where(c => c.CreatedAt >= earliest && c.CreatedAt <= now);
        if (caller.Role != MemberRole.Admin)
            contactsQuery = contactsQuery.Where(c => c.OwnerId != null && scope.Contains(c.OwnerId.Value));
        var contacts = await contactsQuery.Select(c => new { c.CreatedAt, HasEmail = c.Email != null, HasPhone = c.Phone != null }).ToListAsync(ct);
        var lastSeen = await db.Members.AsNoTracking()
            .Where(m => scope.Contains(m.Id) && m.LastSeenAt != null && m.LastSeenAt >= earliest)
            .Select(m => m.LastSeenAt!.Value)
            .ToListAsync(ct);

        // Being active = doing CRM work: a logged activity or an audited change that is CRM work.
        var actions = audit.Where(a => IsCrmWork(a.EntityType, a.Action)).Select(a => (a.MemberId, Day: DateOnly.FromDateTime(a.At)))
            .Concat(activities.Select(a => (MemberId: a.LoggedById, Day: DateOnly.FromDateTime(a.CreatedAt))))
            .Distinct()
            .ToList();

        var result = new List<AdoptionPeriod>(periods.Length);
        foreach (var days in periods.Order())
        {
            var from = today.AddDays(1 - days);
            var fromInstant = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var inPeriod = actions.Where(a => a.Day >= from).ToList();

            var perDay = Enumerable.Range(0, days).Select(d => from.AddDays(d))
                .Select(day => inPeriod.Where(a => a.Day == day).Select(a => a.MemberId).Distinct().Count())
                .Average();
            var weeks = days / 7;
            var perWeek = weeks == 0 ? 0 : Enumerable.Range(0, weeks)
                .Select(w => (Start: today.AddDays(-7 * w - 6), End: today.AddDays(-7 * w)))
                .Select(b => inPeriod.Where(a => a.Day >= b.Start && a.Day <= b.End).Select(a => a.MemberId).Distinct().Count())
                .Average();

            var logged = activities.Count(a => a.CreatedAt >= fromInstant);
            var due = followUps.Where(f => f.DueAt >= fromInstant).ToList();
            var added = contacts.Where(c => c.CreatedAt >= fromInstant).ToList();
            var commands = audit.Where(a => a.At >= fromInstant)
                .Select(a => CommandNames.TryGetValue((a.EntityType, a.Action), out var name) ? name : $"{a.EntityType} {a.Action}")
                .OfType<string>()
                .GroupBy(label => label)
                .Select(g => new CommandUse(g.Key, g.Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Label, StringComparer.Ordinal)
                .ToList();

            result.Add(new AdoptionPeriod(
                days, from, today, scope.Count,
                Math.Round(perDay, 2),
                Math.Round(perWeek, 2),
                inPeriod.Select(a => a.MemberId).Distinct().Count(),
                lastSeen.Count(s => s >= fromInstant),
                logged,
                scope.Count == 0 ? 0 : Math.Round(logged / (double)scope.Count / (days / 7.0), 2),
                due.Count,
                due.Count(f => f.Status == FollowUpStatus.Done && f.CompletedAt is { } done && done <= f.DueAt),
                added.Count,
                added.Count(c => c.HasEmail),
                added.Count(c => c.HasPhone),
                added.Count(c => c.HasEmail && c.HasPhone),
                commands));
        }
        return new AdoptionReport(scopeName, scope.Count, minimum, result);
    }
}

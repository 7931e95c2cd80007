using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

/// <summary>What last touched a deal: a logged activity about it, or a stage change (its creation counts as one).</summary>
public enum DealTouch { Activity, StageChange }

/// <summary>An open deal no one has touched for <see cref="DaysIdle"/> whole days; <see cref="LastTouch"/> is UTC.</summary>
public sealed record StaleDeal(
    int DealId, string Name, string? Owner, string Stage, decimal Amount, string Currency, DateOnly? ExpectedClose,
    DateTime LastTouch, DealTouch LastTouchKind, int DaysIdle);

/// <summary>The stale deals of a scope, oldest touch first: <see cref="Total"/> of them, the first few in <see cref="Deals"/>.</summary>
public sealed record StaleDealsReport(int Days, int Total, IReadOnlyList<StaleDeal> Deals);

/// <summary>One rep's work in a period: activities logged (and per week), and the follow-ups due in it done on time.</summary>
public sealed record RepActivity(int MemberId, string Name, int Activities, double PerWeek, int FollowUpsDue, int FollowUpsOnTime)
{
    public double? OnTimeRate => FollowUpsDue == 0 ? null : (double)FollowUpsOnTime / FollowUpsDue;
}

/// <summary>
/// A scope's activity in a period: the totals over its <see cref="Reps"/>, and one row per rep unless
/// <see cref="PerPersonWithheld"/> (a manager's team smaller than <see cref="MinimumMembers"/>).
/// </summary>
public sealed record TeamActivityReport(
    ReportPeriod Period, int Reps, int Activities, double PerWeek, double PerRepPerWeek, int FollowUpsDue, int FollowUpsOnTime,
    IReadOnlyList<RepActivity> PerRep, bool PerPersonWithheld, int MinimumMembers)
{
    public double? OnTimeRate => FollowUpsDue == 0 ? null : (double)FollowUpsOnTime / FollowUpsDue;
}

/// <summary>
/// Reports on how a team works its deals: deals gone quiet, and activity per rep. Grouped queries, as in
/// <see cref="PipelineReports"/>; who may see which scope is <see cref="ReportAccess"/>'s decision.
/// </summary>
public sealed class TeamReports(CrmDbContext db, TimeProvider time, IOptions<CrmOptions> options, IOptions<MinimumGroupOptions> groups)
{
    /// <summary>
    /// Open deals of the scope with no activity (by when it happened) and no stage change in the last
    /// <paramref name="days"/> days, i.e. last touched at least that long ago; oldest touch first, the first
    /// <paramref name="limit"/> of them and how many there are.
    /// </summary>
    public async Task<StaleDealsReport> StaleDealsAsync(ReportScope scope, int days, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var now = time.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-days);
        var closed = options.Value.Pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        // Existence tests per deal, not a grouping of all activities: each reads only the deal's own rows.
        var stale = db.Deals.AsNoTracking().InScope(db, scope)
            .Where(d => !closed.Contains(d.Stage) && d.CreatedAt <= cutoff
                && !db.Activities.Any(a => a.DealId == d.Id && a.OccurredAt > cutoff)
                && !db.DealStageChanges.Any(c => c.DealId == d.Id && c.ChangedAt > cutoff));
        var total = await stale.CountAsync(ct);
        if (total == 0 || limit == 0) return new StaleDealsReport(days, total, []);

        var rows = await stale
            .Select(d => new
            {
                d.Id, d.Name, Owner = d.Owner == null ? null : d.Owner.DisplayName, d.Stage, d.Amount, d.Currency, d.ExpectedClose,
                Activity = db.Activities.Where(a => a.DealId == d.Id).Max(a => (DateTime?)a.OccurredAt),
                Moved = db.DealStageChanges.Where(c => c.DealId == d.Id).Max(c => (DateTime?)c.ChangedAt) ?? d.CreatedAt,
            })
            .Select(x => new { x, Touch = x.Activity != null && x.Activity > x.Moved ? x.Activity.Value : x.Moved })
            .OrderBy(x => x.Touch).ThenBy(x => x.x.Id)
            .Take(limit)
            .ToListAsync(ct);
        return new StaleDealsReport(days, total, rows.Select(r => new StaleDeal(
            r.x.Id, r.x.Name, r.x.Owner, r.x.Stage, r.x.Amount, r.x.Currency, r.x.ExpectedClose,
            r.Touch, r.x.Activity == r.Touch ? DealTouch.Activity : DealTouch.StageChange,
            (int)(now - r.Touch).TotalDays)).ToList());
    }

    /// <summary>
    /// Per member of the scope: activities logged in <paramref name="period"/> (by when they were logged, days read in
    /// <paramref name="zone"/>), per week (the period's days / 7), and the follow-ups assigned to them that fell due in
    /// the period (up to now) with how many were done no later than due; and the same for the scope. Without
    /// <paramref name="showsPerPerson"/> only the totals, flagged as withheld.
    /// </summary>
    public async Task<TeamActivityReport> TeamActivityAsync(ReportScope scope, bool showsPerPerson, ReportPeriod period, TimeZoneInfo zone,
        CancellationToken ct)
    {
        var start = LocalDay.StartUtc(period.From, zone);
        var end = LocalDay.StartUtc(period.To.AddDays(1), zone);
        var now = time.GetUtcNow().UtcDateTime;
        var dueEnd = end < now ? end : now;
        var reps = db.Members.AsNoTracking().InScope(scope);

        var people = await reps.Select(m => new { m.Id, m.DisplayName }).ToListAsync(ct);
        // A rep or a team is a handful of ids, each a seek in the (member, date) indexes; as a subquery over Members,
        // SQLite walked every member's entries of those indexes instead. Everyone's members need no list.
        var ids = people.Select(p => p.Id).ToList();
        var everyone = scope.Kind == ReportScopeKind.Everyone;
        var inPeriod = db.Activities.AsNoTracking().Where(a => a.CreatedAt >= start && a.CreatedAt < end);
        var dueInPeriod = db.FollowUps.AsNoTracking().Where(f => f.DueAt >= start && f.DueAt < dueEnd);
        var logged = await (everyone ? inPeriod.Where(a => reps.Any(m => m.Id == a.LoggedById)) : inPeriod.Where(a => ids.Contains(a.LoggedById)))
            .GroupBy(a => a.LoggedById)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var due = await (everyone ? dueInPeriod.Where(f => reps.Any(m => m.Id == f.AssigneeId)) : dueInPeriod.Where(f => ids.Contains(f.AssigneeId)))
            .GroupBy(f => f.AssigneeId)
            .Select(g => new { g.Key, Due = g.Count(), OnTime = g.Count(f => f.Status == FollowUpStatus.Done && f.CompletedAt <= f.DueAt) })
            .ToDictionaryAsync(g => g.Key, g => (g.Due, g.OnTime), ct);

        var weeks = (period.To.DayNumber - period.From.DayNumber + 1) / 7.0;
        var rows = people
            .Select(p => (Person: p, Logged: logged.GetValueOrDefault(p.Id), Due: due.GetValueOrDefault(p.Id)))
            .Select(r => new RepActivity(r.Person.Id, r.Person.DisplayName, r.Logged, PerWeek(r.Logged, weeks), r.Due.Due, r.Due.OnTime))
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.MemberId)
            .ToList();
        var activities = rows.Sum(r => r.Activities);
        return new TeamActivityReport(period, rows.Count, activities, PerWeek(activities, weeks),
            rows.Count == 0 ? 0 : PerWeek(activities, weeks * rows.Count),
            rows.Sum(r => r.FollowUpsDue), rows.Sum(r => r.FollowUpsOnTime),
            showsPerPerson ? rows : [], !showsPerPerson, groups.Value.MinResponses);
    }

    private static double PerWeek(int count, double weeks) => Math.Round(count / weeks, 2);
}

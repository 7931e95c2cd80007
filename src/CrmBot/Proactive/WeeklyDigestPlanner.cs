using System.Globalization;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using CrmBot.Crm.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Plans weekly digests: on each manager's and admin's local Monday at their digest time, one outbox row with their
/// team's pipeline (or everyone's, for an admin who asked), this quarter's forecast, what moved in the week before and
/// the deals gone stale. The dedupe key
/// "weekly:{member}:{local Monday}" is unique in the store, so restarts and several instances plan it once; a start
/// late on Monday still plans that Monday's, Tuesday never does. Reps never get one; a team with no open deal and
/// no move that week and nothing won this quarter gets none.
/// </summary>
public sealed class WeeklyDigestPlanner(
    CrmDbContext db,
    PipelineReports reports,
    TeamReports teamReports,
    ProactiveCards cards,
    IOptions<CrmOptions> crm,
    ReportAccess access,
    IOptions<MinimumGroupOptions> groups,
    TimeProvider clock,
    ILogger<WeeklyDigestPlanner> logger)
{
    /// <summary>How many of last week's moves the digest names.</summary>
    internal const int TopMoves = 5;

    /// <summary>Days without activity or stage change after which an open deal is stale (the chat report's default).</summary>
    internal const int StaleDays = 14;

    /// <summary>How many stale deals the digest names (the longest idle); the total is always given.</summary>
    internal const int TopStale = 5;

    /// <summary>One pass over the managers and admins; returns how many weekly digests it planned.</summary>
    public Task<int> PlanDueAsync(CancellationToken ct) =>
        PlanDueAsync(new Pacer(clock, DigestPlanner.PassSlice, DigestPlanner.PassRest), ct);

    internal async Task<int> PlanDueAsync(Pacer pacer, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var defaultTime = DigestSchedule.DefaultTime(crm.Value);
        var members = await db.Members.AsNoTracking()
            .Where(m => m.WeeklyDigestEnabled && (m.Role == MemberRole.Manager || m.Role == MemberRole.Admin)
                && ChannelIds.ChatPlatforms.Contains(m.Channel))
            .ToListAsync(ct);
        return await DigestPlanner.PlanEachAsync(db, pacer, members, m => DigestSchedule.WeeklyDueDate(m, defaultTime, now),
            DigestSchedule.WeeklyDedupeKey, (member, monday, key) => PlanAsync(member, monday, key, ct), ct);
    }

    private async Task<bool> PlanAsync(Member member, DateOnly monday, string key, CancellationToken ct)
    {
        var everyone = member.Role == MemberRole.Admin && member.WeeklyDigestEveryone;
        var scope = everyone ? ReportScope.Everyone : ReportScope.Team(member.Id);
        var zone = LocalDay.Zone(member.TimeZone);
        var week = (From: monday.AddDays(-7), To: monday.AddDays(-1));
        var pipeline = await reports.PipelineAsync(scope, null, ct);
        var moves = await reports.MovesAsync(scope, LocalDay.StartUtc(week.From, zone), LocalDay.StartUtc(monday, zone), TopMoves, ct);
        var forecast = await reports.ForecastAsync(scope, ReportPeriod.ThisQuarter(monday), zone, ct);
        // Only open deals go stale: with none, the two stale queries would find nothing.
        var stale = pipeline.Totals.Count == 0
            ? new StaleDealsReport(StaleDays, 0, [])
            : await teamReports.StaleDealsAsync(scope, StaleDays, TopStale, ct);
        // Per-person figures of a small team would tell its members apart: only admins see them there.
        var owners = await access.ShowsTeamPerPersonAsync(member, ct);

        var payload = cards.WeeklyDigest(new WeeklyDigestContent(member, everyone, week.From, week.To, pipeline, moves,
            forecast, stale, owners ? null : groups.Value.MinResponses));
        // A week with no open deal, no move and no win this quarter still gets its row (Skipped), so it is not planned
        // again that Monday.
        var nothing = pipeline.Totals.Count == 0 && moves.Totals.Count == 0 && forecast.ByCurrency.Count == 0;
        var row = ProactiveOutbox.Add(db, ProactiveAddress.DirectTo(member), OutboxKinds.WeeklyDigest, payload, clock, key,
            status: nothing ? OutboxStatus.Skipped : OutboxStatus.Pending);
        if (!await DigestPlanner.SavedFirstAsync(db, row, null, ct)) return false;
        logger.WeeklyDigestPlanned(member.Id, monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), everyone ? "everyone" : "team");
        return true;
    }
}

/// <summary>
/// What a weekly digest shows. <see cref="OwnersHiddenBelow"/> is the team-size minimum when owners are left out.
/// </summary>
public sealed record WeeklyDigestContent(Member Member, bool Everyone, DateOnly WeekFrom, DateOnly WeekTo,
    PipelineReport Pipeline, DealMovesReport Moves, ForecastReport Forecast, StaleDealsReport Stale, int? OwnersHiddenBelow);

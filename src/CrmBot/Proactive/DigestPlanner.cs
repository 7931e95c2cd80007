using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Plans morning digests: for every member whose digest is due (workday, their time, their zone)
/// and not yet planned for their local today, writes one outbox row. The dedupe key
/// "digest:{member}:{local date}" is unique in the store, so however many planners run (restarts,
/// several instances), each member gets at most one digest a day. A day with nothing to say still
/// gets a row (Skipped), so a follow-up created at 11:00 does not trigger a late "morning" digest.
/// </summary>
public sealed class DigestPlanner(
    CrmDbContext db,
    FollowUpService followUps,
    ProactiveCards cards,
    IOptions<CrmOptions> crm,
    TimeProvider clock,
    ILogger<DigestPlanner> logger)
{

    // A start after downtime across digest times plans hundreds at once. Unpaced, that pass took much of the
    // core from Slack turns and pushed their acks toward Slack's limit; paced, it works at most a third of the
    // wall clock and the acks stay short (docs/decisions/performance.md, finding 15).
    internal static readonly TimeSpan PassSlice = TimeSpan.FromMilliseconds(20);
    internal static readonly TimeSpan PassRest = TimeSpan.FromMilliseconds(40);

    /// <summary>One pass over the members; returns how many digests it planned (sent or skipped).</summary>
    public Task<int> PlanDueAsync(CancellationToken ct) => PlanDueAsync(new Pacer(clock, PassSlice, PassRest), ct);

    internal async Task<int> PlanDueAsync(Pacer pacer, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var defaultTime = DigestSchedule.DefaultTime(crm.Value);
        // Terminal members have nowhere to receive a message.
        var members = await db.Members.AsNoTracking()
            .Where(m => m.DigestEnabled && ChannelIds.ChatPlatforms.Contains(m.Channel)).ToListAsync(ct);

        return await PlanEachAsync(db, pacer, members, m => DigestSchedule.DueDate(m, defaultTime, now), DigestSchedule.DedupeKey,
            (member, date, key) => PlanAsync(member, date, key, ct), ct);
    }

    /// <summary>
    /// Plans, one member at a time and paced, each member's digest that is due (its local date) and whose dedupe key
    /// is not in the outbox yet; returns how many <paramref name="plan"/> planned. Shared by the morning and the
    /// weekly planner.
    /// </summary>
    internal static async Task<int> PlanEachAsync(CrmDbContext db, Pacer pacer, List<Member> members, Func<Member, DateOnly?> dueDate,
        Func<int, DateOnly, string> dedupeKey, Func<Member, DateOnly, string, Task<bool>> plan, CancellationToken ct)
    {
        var due = members
            .Select(m => (Member: m, Date: dueDate(m)))
            .Where(x => x.Date is not null)
            .Select(x => (x.Member, Date: x.Date!.Value, Key: dedupeKey(x.Member.Id, x.Date!.Value)))
            .ToList();
        if (due.Count == 0) return 0;
        var keys = due.Select(d => d.Key).ToList();
        var planned = (await db.Outbox.Where(o => o.DedupeKey != null && keys.Contains(o.DedupeKey)).Select(o => o.DedupeKey!).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);

        var count = 0;
        foreach (var (member, date, key) in due.Where(d => !planned.Contains(d.Key)))
        {
            if (await plan(member, date, key)) count++;
            // One member's follow-ups, contacts and outbox row are not needed for the next. Kept, every
            // SaveChanges compared them all again, and a catch-up after a start took most of the core from the
            // chat turns (docs/decisions/performance.md, finding 11).
            db.ChangeTracker.Clear();
            await pacer.BetweenItemsAsync(ct);
        }
        return count;
    }

    private async Task<bool> PlanAsync(Member member, DateOnly date, string key, CancellationToken ct)
    {
        var items = await followUps.DueAsync(member.Id, ct);
        var held = await db.Outbox.AsNoTracking()
            .Where(o => o.MemberId == member.Id && o.Status == OutboxStatus.Held)
            .OrderBy(o => o.Id).ToListAsync(ct);
        var itemCount = items.Overdue.Count + items.DueToday.Count;

        var to = ProactiveAddress.DirectTo(member);
        var nothing = itemCount == 0 && held.Count == 0;
        var payload = nothing
            ? ProactivePayload.TextOnly("Nothing due.")
            : cards.Digest(member, items, held.Select(h => ProactivePayload.FromJson(h.PayloadJson)).ToList());

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = ProactiveOutbox.Add(db, to, OutboxKinds.Digest, payload, clock, key,
            status: nothing ? OutboxStatus.Skipped : OutboxStatus.Pending);
        if (!await SavedFirstAsync(db, row, tx, ct)) return false;
        if (held.Count > 0)
        {
            // Folded in the same transaction as the digest row: a held note is shown exactly once.
            var ids = held.Select(h => h.Id).ToList();
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Outbox.Where(o => ids.Contains(o.Id) && o.Status == OutboxStatus.Held).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, OutboxStatus.Folded)
                .SetProperty(o => o.SentAt, now)
                .SetProperty(o => o.LastError, $"folded into digest #{row.Id}"), ct);
        }
        await tx.CommitAsync(ct);
        logger.DigestPlanned(member.Id, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), itemCount, held.Count);
        return true;
    }

    /// <summary>
    /// Saves a planned row; false when another planner (instance) saved a row with its dedupe key between our check
    /// and our insert. A transaction is rolled back first: PostgreSQL answers nothing else in a failed one.
    /// </summary>
    internal static async Task<bool> SavedFirstAsync(CrmDbContext db, OutboxMessage row, IDbContextTransaction? tx, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (tx is not null) await tx.RollbackAsync(ct);
            db.Entry(row).State = EntityState.Detached;
            if (await db.Outbox.AnyAsync(o => o.DedupeKey == row.DedupeKey, ct)) return false;
            throw;
        }
    }

    /// <summary>Held stage-change notes go out at once instead (the member left the digest or chose instant).</summary>
    public static Task<int> ReleaseHeldAsync(CrmDbContext db, int memberId, DateTime now, CancellationToken ct) =>
        db.Outbox.Where(o => o.MemberId == memberId && o.Status == OutboxStatus.Held).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Status, OutboxStatus.Pending)
            .SetProperty(o => o.NotBefore, now), ct);
}

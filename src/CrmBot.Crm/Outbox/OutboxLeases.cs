using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Outbox;

/// <summary>A claimed row: the dispatcher holds its lease until it reports the outcome.</summary>
/// <param name="PreviousClaimAbandoned">The row was claimed before by a dispatcher that never reported
/// back (it died or lost its store): that attempt may or may not have reached the platform.</param>
public sealed record ClaimedMessage(OutboxMessage Message, string LeaseOwner, bool PreviousClaimAbandoned);

/// <summary>Counts and recent failures, for /healthz and the `outbox` command.</summary>
public sealed record OutboxSummary(int Pending, int Failed, int Held, int SentLastDay, DateTime? OldestDueAt,
    IReadOnlyList<OutboxMessage> RecentFailures);

/// <summary>
/// The row side of dispatching. Every state change is one conditional UPDATE, so that two
/// dispatchers (two service instances on one store) can never both own a row:
/// <list type="bullet">
/// <item>claim: Pending, due, and not leased (or lease expired) → leased to me, Attempts+1;</item>
/// <item>outcome (sent / retry later / failed): only while the lease is still mine.</item>
/// </list>
/// A dispatcher that dies after claiming leaves a lease that simply expires; the row is then
/// claimable again. That is what makes "crash before the send" lead to exactly one send.
/// </summary>
public sealed class OutboxLeases(CrmDbContext db, TimeProvider clock)
{
    public async Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int max, TimeSpan lease, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + lease;
        if (db.Database.IsNpgsql()) return await ClaimSkippingLockedAsync(owner, max, now, leaseUntil, ct);
        var candidates = await Due(now).OrderBy(o => o.NotBefore).ThenBy(o => o.Id)
            .Select(o => new { o.Id, Abandoned = o.LeaseUntil != null }).Take(max).ToListAsync(ct);

        var claimed = new List<long>(candidates.Count);
        foreach (var (id, _) in candidates.Select(c => (c.Id, c.Abandoned)))
        {
            // Re-check every condition inside the UPDATE: between the SELECT and here another
            // dispatcher may have claimed the row; then this affects nothing.
            var won = await Due(now).Where(o => o.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.LeaseOwner, owner)
                .SetProperty(o => o.LeaseUntil, leaseUntil)
                .SetProperty(o => o.Attempts, o => o.Attempts + 1)
                .SetProperty(o => o.FirstAttemptAt, o => o.FirstAttemptAt ?? now), ct);
            if (won == 1) claimed.Add(id);
        }
        if (claimed.Count == 0) return [];

        var rows = await db.Outbox.AsNoTracking()
            .Where(o => claimed.Contains(o.Id) && o.LeaseOwner == owner)
            .OrderBy(o => o.NotBefore).ThenBy(o => o.Id).ToListAsync(ct);
        var abandoned = candidates.Where(c => c.Abandoned).Select(c => c.Id).ToHashSet();
        return rows.Select(r => new ClaimedMessage(r, owner, abandoned.Contains(r.Id))).ToList();
    }

    /// <summary>
    /// PostgreSQL: one statement that skips the rows another dispatcher is claiming right now, so that two instances
    /// take different rows instead of racing for the same first ones. The WHERE is checked again on a row's newest
    /// version when it is locked, so a row claimed and committed meanwhile is not taken twice.
    /// </summary>
    private async Task<IReadOnlyList<ClaimedMessage>> ClaimSkippingLockedAsync(string owner, int max, DateTime now, DateTime leaseUntil,
        CancellationToken ct)
    {
        var pending = nameof(OutboxStatus.Pending);
        var won = await db.Database.SqlQuery<ClaimedRow>($"""
            UPDATE "Outbox" AS o
            SET "LeaseOwner" = {owner}, "LeaseUntil" = {leaseUntil}, "Attempts" = o."Attempts" + 1,
                "FirstAttemptAt" = COALESCE(o."FirstAttemptAt", {now})
            FROM (SELECT "Id", "LeaseUntil" IS NOT NULL AS "Abandoned" FROM "Outbox"
                  WHERE "Status" = {pending} AND "NotBefore" <= {now} AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now})
                  ORDER BY "NotBefore", "Id" LIMIT {max}
                  FOR UPDATE SKIP LOCKED) AS c
            WHERE o."Id" = c."Id"
            RETURNING o."Id", c."Abandoned"
            """).ToListAsync(ct);
        if (won.Count == 0) return [];
        var ids = won.Select(w => w.Id).ToList();
        var abandoned = won.Where(w => w.Abandoned).Select(w => w.Id).ToHashSet();
        var rows = await db.Outbox.AsNoTracking()
            .Where(o => ids.Contains(o.Id) && o.LeaseOwner == owner)
            .OrderBy(o => o.NotBefore).ThenBy(o => o.Id).ToListAsync(ct);
        return rows.Select(r => new ClaimedMessage(r, owner, abandoned.Contains(r.Id))).ToList();
    }

    private sealed record ClaimedRow(long Id, bool Abandoned);

    /// <summary>False when the lease was lost meanwhile (we overran it and someone else took the row).</summary>
    public async Task<bool> MarkSentAsync(ClaimedMessage claim, CancellationToken ct)
    {
        if (OutboxKinds.ForgottenOnceDone(claim.Message.Kind))
            return await ForgetAsync(claim, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return await Mine(claim).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Status, OutboxStatus.Sent)
            .SetProperty(o => o.SentAt, now)
            .SetProperty(o => o.LeaseOwner, (string?)null)
            .SetProperty(o => o.LeaseUntil, (DateTime?)null)
            .SetProperty(o => o.LastError, (string?)null), ct) == 1;
    }

    /// <summary>
    /// Back to Pending, not before <paramref name="notBefore"/>; the error stays visible meanwhile. With
    /// <paramref name="remainingPayloadJson"/>, the payload becomes what is left to send (a reply whose first
    /// messages went out), so a retry never sends those again.
    /// </summary>
    public async Task<bool> RetryLaterAsync(ClaimedMessage claim, DateTime notBefore, string error, CancellationToken ct,
        string? remainingPayloadJson = null)
    {
        var lastError = Truncate(error);
        return await Mine(claim).ExecuteUpdateAsync(s =>
        {
            s.SetProperty(o => o.NotBefore, notBefore)
                .SetProperty(o => o.LeaseOwner, (string?)null)
                .SetProperty(o => o.LeaseUntil, (DateTime?)null)
                .SetProperty(o => o.LastError, lastError);
            if (remainingPayloadJson is not null) s.SetProperty(o => o.PayloadJson, remainingPayloadJson);
        }, ct) == 1;
    }

    public async Task<bool> MarkFailedAsync(ClaimedMessage claim, string error, CancellationToken ct)
    {
        // A reminder that could not be delivered is not worth a lasting record of who had not answered.
        if (OutboxKinds.ForgottenOnceDone(claim.Message.Kind))
            return await ForgetAsync(claim, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return await Mine(claim).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Status, OutboxStatus.Failed)
            .SetProperty(o => o.SentAt, now)
            .SetProperty(o => o.LeaseOwner, (string?)null)
            .SetProperty(o => o.LeaseUntil, (DateTime?)null)
            .SetProperty(o => o.LastError, Truncate(error)), ct) == 1;
    }

    /// <summary>Deletes the row (secure_delete, set on every connection, zeroes what it held in the file).</summary>
    private async Task<bool> ForgetAsync(ClaimedMessage claim, CancellationToken ct) =>
        await Mine(claim).ExecuteDeleteAsync(ct) == 1;

    /// <summary>Failed rows back to Pending with a fresh retry budget (after the admin fixed the cause).</summary>
    public Task<int> RequeueFailedAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Outbox.Where(o => o.Status == OutboxStatus.Failed).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Status, OutboxStatus.Pending)
            .SetProperty(o => o.NotBefore, now)
            .SetProperty(o => o.FirstAttemptAt, (DateTime?)null)
            .SetProperty(o => o.SentAt, (DateTime?)null), ct);
    }

    public async Task<OutboxSummary> SummaryAsync(int recentFailures, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var dayAgo = now.AddDays(-1);
        var counts = await db.Outbox.GroupBy(o => o.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(OutboxStatus s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
        var sentLastDay = await db.Outbox.CountAsync(o => o.Status == OutboxStatus.Sent && o.SentAt >= dayAgo, ct);
        var oldestDue = await db.Outbox.Where(o => o.Status == OutboxStatus.Pending)
            .OrderBy(o => o.NotBefore).Select(o => (DateTime?)o.NotBefore).FirstOrDefaultAsync(ct);
        var failures = await db.Outbox.AsNoTracking().Where(o => o.Status == OutboxStatus.Failed)
            .OrderByDescending(o => o.Id).Take(recentFailures).ToListAsync(ct);
        return new OutboxSummary(Count(OutboxStatus.Pending), Count(OutboxStatus.Failed), Count(OutboxStatus.Held),
            sentLastDay, oldestDue, failures);
    }

    private IQueryable<OutboxMessage> Due(DateTime now) => db.Outbox.Where(o =>
        o.Status == OutboxStatus.Pending && o.NotBefore <= now && (o.LeaseUntil == null || o.LeaseUntil < now));

    private IQueryable<OutboxMessage> Mine(ClaimedMessage claim) => db.Outbox.Where(o =>
        o.Id == claim.Message.Id && o.Status == OutboxStatus.Pending && o.LeaseOwner == claim.LeaseOwner);

    private static string Truncate(string error) => error.Length <= 1000 ? error : error[..1000];
}

using CrmBot.Crm.ChatState;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmBot.Crm;

/// <summary>
/// Remembers delivery ids (Teams activity ids, Slack event ids) so a platform's retry of the
/// same delivery is processed once, across restarts and service instances. The primary key
/// decides the race: of two concurrent deliveries only one insert succeeds.
/// </summary>
public sealed class InboundDeliveries(CrmDbContext db, TimeProvider clock, InboundDeliveries.InFlight? inFlight = null)
{
    /// <summary>The deliveries this process is working on and has not yet recorded (one set per service).</summary>
    public sealed class InFlight
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), byte> _ids = new();

        internal bool TryAdd(string channel, string deliveryId) => _ids.TryAdd((channel, deliveryId), 0);

        internal void Remove(string channel, string deliveryId) => _ids.TryRemove((channel, deliveryId), out _);
    }

    /// <summary>
    /// Like <see cref="TryBeginAsync"/>, for a turn whose context defers writes (<see cref="DeferredWrites"/>): the
    /// id is recorded with the turn's first commit rather than in one of its own (<see cref="DeferDoneMark"/>). Until
    /// then this process knows it as in flight, so a repeat arriving meanwhile is refused here, and one arriving later
    /// finds the row. Another instance recording the same id first makes that commit fail
    /// (<see cref="DeferredWriteConflictException"/>). Call <see cref="EndTurn"/> once the turn has committed or failed.
    /// </summary>
    public async Task<bool> TryBeginTurnAsync(string channel, string deliveryId, string owner, CancellationToken ct = default)
    {
        if (inFlight is null || db.Deferred is null) return await TryBeginAsync(channel, deliveryId, ct);
        if (!inFlight.TryAdd(channel, deliveryId)) return false;
        try
        {
            if (await SeenAsync(channel, deliveryId, ct))
            {
                inFlight.Remove(channel, deliveryId);
                return false;
            }
        }
        catch
        {
            inFlight.Remove(channel, deliveryId);
            throw;
        }
        DeferDoneMark(channel, deliveryId, owner);
        return true;
    }

    /// <summary>
    /// The turn's delivery record rides with its commit: one statement that records a new delivery as done, or marks
    /// done the stored one <paramref name="owner"/> holds (work acknowledged before it was done). It changes no row
    /// when the delivery is done already or another instance holds it, and then the turn's commit fails
    /// (<see cref="DeferredWriteConflictException"/>), so the turn's writes and its done-mark stand or fall together.
    /// </summary>
    public void DeferDoneMark(string channel, string deliveryId, string owner)
    {
        var receivedAt = clock.GetUtcNow().UtcDateTime;
        DeferredWrites.TryDefer(db,
            $"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Attempts") VALUES ({channel}, {deliveryId}, {receivedAt}, 0) ON CONFLICT ("Channel", "DeliveryId") DO UPDATE SET "PayloadJson" = NULL, "LeaseOwner" = NULL, "LeaseUntil" = NULL WHERE "ProcessedInbound"."LeaseOwner" = {owner}""",
            $"Delivery {deliveryId} was recorded by another instance first.");
    }

    /// <summary>The turn begun by <see cref="TryBeginTurnAsync"/> is over: its id is in the store, or was given up.</summary>
    public void EndTurn(string channel, string deliveryId) => inFlight?.Remove(channel, deliveryId);

    // Every Teams turn asks this: a prepared statement of its own, without EF's query pipeline around it.
    private async Task<bool> SeenAsync(string channel, string deliveryId, CancellationToken ct)
    {
        // A session's connection is open already; a plain context's is opened for this and closed again.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = StatementCache.CreateCommand(db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction(),
                """SELECT EXISTS (SELECT 1 FROM "ProcessedInbound" WHERE "Channel" = @p0 AND "DeliveryId" = @p1)""", [channel, deliveryId]);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>True the first time a delivery is seen; false for every repeat.</summary>
    public async Task<bool> TryBeginAsync(string channel, string deliveryId, CancellationToken ct = default)
    {
        // One statement, no exception for the expected "already seen" case (which would otherwise
        // be logged as a failed command on every platform retry). ON CONFLICT works on SQLite and
        // PostgreSQL alike.
        var receivedAt = clock.GetUtcNow().UtcDateTime;
        return await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Attempts") VALUES ({channel}, {deliveryId}, {receivedAt}, 0) ON CONFLICT DO NOTHING""",
            ct) == 1;
    }

    /// <summary>
    /// Forgets a delivery whose processing failed before anything was written, so the platform's
    /// retry gets a second chance instead of being dropped.
    /// </summary>
    public Task ForgetAsync(string channel, string deliveryId, CancellationToken ct = default) =>
        db.ProcessedInbound.Where(p => p.Channel == channel && p.DeliveryId == deliveryId).ExecuteDeleteAsync(ct);

    /// <summary>
    /// Like <see cref="TryBeginAsync"/>, and in the same single insert also stores the work still
    /// to do, leased to <paramref name="owner"/> (the instance about to do it). False for a repeat.
    /// </summary>
    public async Task<bool> TryAcceptAsync(string channel, string deliveryId, string kind, string payloadJson, string owner,
        TimeSpan lease, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var leaseUntil = now + lease;
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt", "Kind", "PayloadJson", "Attempts", "LeaseOwner", "LeaseUntil") VALUES ({channel}, {deliveryId}, {now}, {kind}, {payloadJson}, 1, {owner}, {leaseUntil}) ON CONFLICT DO NOTHING""",
            ct);
        return inserted == 1;
    }

    /// <summary>
    /// The work is closed without a turn's commit (it failed, or cannot be read): the payload goes (stored bodies
    /// must not grow), the id stays for dedupe. A turn that succeeds is marked done by <see cref="DeferDoneMark"/>.
    /// </summary>
    public Task CompleteAsync(string channel, string deliveryId, CancellationToken ct = default) =>
        db.Database.ExecuteSqlAsync(
            $"""UPDATE "ProcessedInbound" SET "PayloadJson" = NULL, "LeaseOwner" = NULL, "LeaseUntil" = NULL WHERE "Channel" = {channel} AND "DeliveryId" = {deliveryId}""",
            ct);

    /// <summary>The work failed or was abandoned: free it for the next claim (by anyone) without waiting for the lease.</summary>
    public Task ReleaseAsync(string channel, string deliveryId, string owner, CancellationToken ct = default) =>
        db.ProcessedInbound.Where(p => p.Channel == channel && p.DeliveryId == deliveryId && p.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LeaseOwner, (string?)null).SetProperty(p => p.LeaseUntil, (DateTime?)null), ct);

    /// <summary>
    /// Claims pending work that no live instance holds (never leased, released, or lease expired),
    /// the way <c>OutboxLeases.ClaimDueAsync</c> does: a SELECT of candidates, then one conditional
    /// UPDATE per row that re-checks every condition, so of two instances only one wins a row.
    /// (Same approach, different table; a generic helper over both would hide the conditions that
    /// make it safe.) Rows already tried <paramref name="maxAttempts"/> times are given up first.
    /// With <paramref name="takeOverPrefix"/> (the instance's stable name and "/"), rows an earlier process of this
    /// instance held are claimable too, whatever their lease: that process is gone.
    /// </summary>
    public async Task<PendingClaim> ClaimPendingAsync(string channel, string owner, int max, TimeSpan lease, int maxAttempts,
        string? takeOverPrefix = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        IQueryable<ChatState.ProcessedInbound> Claimable(string channel, DateTime now) => ClaimableRows(channel, now, owner, takeOverPrefix);
        var given = await Claimable(channel, now).Where(p => p.Attempts >= maxAttempts)
            .Select(p => p.DeliveryId).ToListAsync(ct);
        foreach (var id in given)
            await Claimable(channel, now).Where(p => p.DeliveryId == id && p.Attempts >= maxAttempts)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.PayloadJson, (string?)null), ct);

        var leaseUntil = now + lease;
        if (db.Database.IsNpgsql())
            return new PendingClaim(await ClaimSkippingLockedAsync(channel, owner, max, now, leaseUntil, maxAttempts, takeOverPrefix, ct), given);
        var candidates = await Claimable(channel, now).Where(p => p.Attempts < maxAttempts)
            .OrderBy(p => p.ReceivedAt).Select(p => p.DeliveryId).Take(max).ToListAsync(ct);
        var claimed = new List<PendingDelivery>(candidates.Count);
        foreach (var id in candidates)
        {
            var won = await Claimable(channel, now).Where(p => p.DeliveryId == id && p.Attempts < maxAttempts)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(p => p.LeaseOwner, owner)
                    .SetProperty(p => p.LeaseUntil, leaseUntil)
                    .SetProperty(p => p.Attempts, p => p.Attempts + 1), ct);
            if (won != 1) continue;
            var row = await db.ProcessedInbound.AsNoTracking()
                .Where(p => p.Channel == channel && p.DeliveryId == id && p.LeaseOwner == owner)
                .Select(p => new PendingDelivery(p.DeliveryId, p.Kind!, p.PayloadJson!, p.ReceivedAt)).FirstOrDefaultAsync(ct);
            if (row is not null) claimed.Add(row);
        }
        return new PendingClaim(claimed, given);
    }

    /// <summary>
    /// PostgreSQL: the claim in one statement that skips rows another instance is claiming right now, so instances
    /// take different work; the conditions are checked again on a row's newest version when it is locked. The same
    /// conditions as <see cref="ClaimableRows"/>.
    /// </summary>
    private async Task<List<PendingDelivery>> ClaimSkippingLockedAsync(string channel, string owner, int max, DateTime now, DateTime leaseUntil,
        int maxAttempts, string? takeOverPrefix, CancellationToken ct)
    {
        var prefix = takeOverPrefix ?? "";
        var takeOver = takeOverPrefix is not null;
        var rows = await db.Database.SqlQuery<PendingDelivery>($"""
            UPDATE "ProcessedInbound" AS p
            SET "LeaseOwner" = {owner}, "LeaseUntil" = {leaseUntil}, "Attempts" = p."Attempts" + 1
            FROM (SELECT "Channel", "DeliveryId" FROM "ProcessedInbound"
                  WHERE "Channel" = {channel} AND "PayloadJson" IS NOT NULL AND "Kind" IS NOT NULL AND "Attempts" < {maxAttempts}
                    AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {now}
                         OR ({takeOver} AND "LeaseOwner" <> {owner} AND left("LeaseOwner", length({prefix})) = {prefix}))
                  ORDER BY "ReceivedAt" LIMIT {max}
                  FOR UPDATE SKIP LOCKED) AS c
            WHERE p."Channel" = c."Channel" AND p."DeliveryId" = c."DeliveryId"
            RETURNING p."DeliveryId", p."Kind", p."PayloadJson", p."ReceivedAt"
            """).ToListAsync(ct);
        return rows.OrderBy(r => r.ReceivedAt).ToList();
    }

    private IQueryable<ChatState.ProcessedInbound> ClaimableRows(string channel, DateTime now, string owner, string? takeOverPrefix) => takeOverPrefix is null
        ? db.ProcessedInbound.Where(p =>
            p.Channel == channel && p.PayloadJson != null && p.Kind != null && (p.LeaseUntil == null || p.LeaseUntil < now))
        : db.ProcessedInbound.Where(p =>
            p.Channel == channel && p.PayloadJson != null && p.Kind != null
            && (p.LeaseUntil == null || p.LeaseUntil < now || (p.LeaseOwner != owner && p.LeaseOwner!.StartsWith(takeOverPrefix))));

    /// <summary>
    /// Drops ids older than any platform retries (Teams and Slack retry within minutes). Work still
    /// pending is kept whatever its age: it was acknowledged.
    /// </summary>
    public Task<int> PruneAsync(TimeSpan olderThan, CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - olderThan;
        return db.ProcessedInbound.Where(p => p.ReceivedAt < cutoff && p.PayloadJson == null).ExecuteDeleteAsync(ct);
    }
}

/// <summary>Acknowledged work claimed for redoing.</summary>
public sealed record PendingDelivery(string DeliveryId, string Kind, string PayloadJson, DateTime ReceivedAt);

/// <summary>What a claim found: work to redo, and delivery ids given up on (tried too often).</summary>
public sealed record PendingClaim(IReadOnlyList<PendingDelivery> Claimed, IReadOnlyList<string> GivenUp);

using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm;

/// <summary>
/// Remembers delivery ids (Teams activity ids, Slack event ids) so a platform's retry of the
/// same delivery is processed once, across restarts and service instances. The primary key
/// decides the race: of two concurrent deliveries only one insert succeeds.
/// </summary>
public sealed class InboundDeliveries(CrmDbContext db, TimeProvider clock)
{
    /// <summary>True the first time a delivery is seen; false for every repeat.</summary>
    public async Task<bool> TryBeginAsync(string channel, string deliveryId, CancellationToken ct = default)
    {
        // One statement, no exception for the expected "already seen" case (which would otherwise
        // be logged as a failed command on every platform retry). ON CONFLICT works on SQLite and
        // PostgreSQL alike.
        var receivedAt = clock.GetUtcNow().UtcDateTime;
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "ProcessedInbound" ("Channel", "DeliveryId", "ReceivedAt") VALUES ({channel}, {deliveryId}, {receivedAt}) ON CONFLICT DO NOTHING""",
            ct);
        return inserted == 1;
    }

    /// <summary>
    /// Forgets a delivery whose processing failed before anything was written, so the platform's
    /// retry gets a second chance instead of being dropped.
    /// </summary>
    public Task ForgetAsync(string channel, string deliveryId, CancellationToken ct = default) =>
        db.ProcessedInbound.Where(p => p.Channel == channel && p.DeliveryId == deliveryId).ExecuteDeleteAsync(ct);

    /// <summary>Drops ids older than any platform retries (Teams and Slack retry within minutes).</summary>
    public Task<int> PruneAsync(TimeSpan olderThan, CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - olderThan;
        return db.ProcessedInbound.Where(p => p.ReceivedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}

using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Outbox;

/// <summary>
/// The way into the outbox for every area. <see cref="Add"/> puts a row into the caller's
/// DbContext so it commits (or not) with the change that causes it: a message is never sent for
/// a change that was rolled back, and never lost for one that committed.
/// </summary>
public static class ProactiveOutbox
{
    /// <summary>
    /// Adds a message to <paramref name="db"/>; the caller's SaveChanges writes it. A non-null
    /// <paramref name="dedupeKey"/> is unique in the store: a second row with the same key makes
    /// that SaveChanges fail (use <see cref="TryAddOnceAsync"/> when "already there" is fine).
    /// </summary>
    public static OutboxMessage Add(CrmDbContext db, ProactiveAddress to, string kind, ProactivePayload payload,
        TimeProvider clock, string? dedupeKey = null, DateTime? notBefore = null, OutboxStatus status = OutboxStatus.Pending) =>
        Add(db, to, kind, payload.ToJson(), clock, dedupeKey, notBefore, status);

    /// <summary>As above, with a payload the row's kind defines (a <see cref="OutboxKinds.Reply"/> is the channel's own).</summary>
    public static OutboxMessage Add(CrmDbContext db, ProactiveAddress to, string kind, string payloadJson,
        TimeProvider clock, string? dedupeKey = null, DateTime? notBefore = null, OutboxStatus status = OutboxStatus.Pending)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var row = new OutboxMessage
        {
            Channel = to.Channel,
            Kind = kind,
            MemberId = to.MemberId,
            ChannelTarget = to.Target,
            ConversationAddressId = to.ConversationAddressId,
            PayloadJson = payloadJson,
            DedupeKey = dedupeKey,
            Status = status,
            CreatedAt = now,
            NotBefore = notBefore ?? now,
        };
        db.Outbox.Add(row);
        return row;
    }

    /// <summary>
    /// Adds and saves a message whose <paramref name="dedupeKey"/> says it must exist once (a
    /// digest per member per day). False when a row with that key already exists, whoever wrote it.
    /// </summary>
    public static async Task<bool> TryAddOnceAsync(CrmDbContext db, ProactiveAddress to, string kind, ProactivePayload payload,
        TimeProvider clock, string dedupeKey, CancellationToken ct, OutboxStatus status = OutboxStatus.Pending)
    {
        var row = Add(db, to, kind, payload, clock, dedupeKey, status: status);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // The unique index decides the race between planners (and instances). Anything else
            // (disk full, store locked) is not "already there" and must surface.
            db.Entry(row).State = EntityState.Detached;
            if (await db.Outbox.AnyAsync(o => o.DedupeKey == dedupeKey, ct)) return false;
            throw;
        }
    }
}

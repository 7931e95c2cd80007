using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

/// <summary>
/// The audit trail: who changed what, old → new, when, from which channel. Entries are added to
/// the caller's context so they commit (or fail) with the change they describe.
/// </summary>
public static class AuditLog
{
    public static AuditEntry Add(CrmDbContext db, Actor actor, string entityType, string entityId, string action,
        string? oldValue, string? newValue)
    {
        var entry = New(db, actor, entityType, entityId, action, oldValue, newValue);
        db.AuditEntries.Add(entry);
        return entry;
    }

    public static AuditEntry Add(CrmDbContext db, Actor actor, string entityType, int entityId, string action,
        string? oldValue, string? newValue) =>
        Add(db, actor, entityType, Id(entityId), action, oldValue, newValue);

    /// <summary>The same entry written at once, in the caller's open transaction (for writes made with <see cref="RowInserts"/>).</summary>
    public static async Task AppendAsync(CrmDbContext db, Actor actor, string entityType, int entityId, string action,
        string? oldValue, string? newValue, CancellationToken ct) =>
        await RowInserts.InsertAsync(db, New(db, actor, entityType, Id(entityId), action, oldValue, newValue), ct);

    /// <summary>
    /// The latest <paramref name="count"/> changes to a deal or a contact, newest first: its own entries and those of
    /// its activities and follow-ups (an undone log took its rows, so its entries no longer belong to anything).
    /// One query: each part is a lookup on the (EntityType, EntityId) index. Read only when asked for.
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> RecentAsync(CrmDbContext db, string entityType, int entityId, int count,
        CancellationToken ct)
    {
        var (activities, followUps) = entityType switch
        {
            nameof(Deal) => (db.Activities.Where(a => a.DealId == entityId).Select(a => a.Id.ToString()),
                db.FollowUps.Where(f => f.DealId == entityId).Select(f => f.Id.ToString())),
            nameof(Contact) => (db.Activities.Where(a => a.ContactId == entityId).Select(a => a.Id.ToString()),
                db.FollowUps.Where(f => f.ContactId == entityId).Select(f => f.Id.ToString())),
            _ => throw new ArgumentOutOfRangeException(nameof(entityType), entityType, "History is kept for deals and contacts."),
        };
        var key = Id(entityId);
        var entries = db.AuditEntries.AsNoTracking();
        return await entries.Where(e => e.EntityType == entityType && e.EntityId == key)
            .Concat(entries.Where(e => e.EntityType == nameof(Activity) && activities.Contains(e.EntityId)))
            .Concat(entries.Where(e => e.EntityType == nameof(FollowUp) && followUps.Contains(e.EntityId)))
            .OrderByDescending(e => e.Id).Take(count).ToListAsync(ct);
    }

    private static string Id(int entityId) => entityId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static AuditEntry New(CrmDbContext db, Actor actor, string entityType, string entityId, string action,
        string? oldValue, string? newValue) =>
        new()
        {
            At = db.Clock.GetUtcNow().UtcDateTime,
            // MemberId 0 is a system actor (import, seeding) with no member row behind it.
            MemberId = actor.MemberId > 0 ? actor.MemberId : null,
            Actor = actor.DisplayName,
            Channel = actor.Channel,
            EntityType = entityType,
            EntityId = entityId,
            Action = action,
            OldValue = oldValue,
            NewValue = newValue,
        };
}

using CrmBot.Crm.Model;

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
        var entry = new AuditEntry
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
        db.AuditEntries.Add(entry);
        return entry;
    }

    public static AuditEntry Add(CrmDbContext db, Actor actor, string entityType, int entityId, string action,
        string? oldValue, string? newValue) =>
        Add(db, actor, entityType, entityId.ToString(System.Globalization.CultureInfo.InvariantCulture), action, oldValue, newValue);
}

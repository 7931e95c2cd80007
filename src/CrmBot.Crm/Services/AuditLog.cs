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

using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

/// <summary>
/// Who may change a record: its owner (a deal's owner, a follow-up's assignee, an activity's logger), the
/// owner's manager, or an admin. Reads are open to everyone. The one place the change methods ask, so a rule
/// is never enforced in one feature and forgotten in another; a card button is checked against the member who
/// pressed it, because the caller passes the turn's actor.
/// </summary>
public static class Access
{
    /// <summary>
    /// Null when <paramref name="actor"/> may change a record owned by <paramref name="ownerId"/>; otherwise the
    /// sentence to answer with, e.g. "Only Jane Doe (the deal's owner), their manager or an admin can move this deal."
    /// A system actor (import, seeding) and a record nobody owns yet are not limited.
    /// </summary>
    public static async Task<string?> RefusalAsync(CrmDbContext db, Actor actor, int? ownerId, string ownerRole, string change,
        CancellationToken ct)
    {
        if (actor.MemberId <= 0 || ownerId is not { } owner || owner == actor.MemberId) return null;
        var role = await db.Members.AsNoTracking().Where(m => m.Id == actor.MemberId).Select(m => (MemberRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role == MemberRole.Admin) return null;
        var ownerRow = await db.Members.AsNoTracking().Where(m => m.Id == owner).Select(m => new { m.DisplayName, m.ManagerId }).FirstOrDefaultAsync(ct);
        if (role == MemberRole.Manager && ownerRow?.ManagerId == actor.MemberId) return null;
        return $"Only {ownerRow?.DisplayName ?? $"member #{owner}"} ({ownerRole}), their manager or an admin can {change}.";
    }
}

using CrmBot.Crm.Model;

namespace CrmBot.Crm.Services;

/// <summary>What a <see cref="ReportScope"/> covers, as query filters, so every report reads a team the same way.</summary>
internal static class ReportScopeQueries
{
    /// <summary>The scope's deals: one member's, a manager's team's (the manager's own too), or all (unowned too).</summary>
    public static IQueryable<Deal> InScope(this IQueryable<Deal> deals, CrmDbContext db, ReportScope scope) => scope.Kind switch
    {
        ReportScopeKind.Member => deals.Where(d => d.OwnerId == scope.MemberId),
        // An IN over the team's member ids, so the store seeks each member's deals by owner instead of testing every deal.
        ReportScopeKind.Team => deals.Where(d => db.Members.InScope(scope).Select(m => (int?)m.Id).Contains(d.OwnerId)),
        _ => deals,
    };

    /// <summary>The scope's people: the member, the manager and their team, or every member.</summary>
    public static IQueryable<Member> InScope(this IQueryable<Member> members, ReportScope scope) => scope.Kind switch
    {
        ReportScopeKind.Member => members.Where(m => m.Id == scope.MemberId),
        ReportScopeKind.Team => members.Where(m => m.Id == scope.MemberId || m.ManagerId == scope.MemberId),
        _ => members,
    };
}

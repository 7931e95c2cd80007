using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

/// <summary>Whose figures a member asks for: their own, their team's, everyone's, or one other member's.</summary>
public enum ReportAudience { Mine, Team, Everyone, Owner }

/// <summary>
/// What a member may see of a report: the scope its queries cover, and whether figures broken down by person
/// (per owner, per rep) may be shown.
/// </summary>
/// <param name="Owner">The member whose figures these are, for <see cref="ReportAudience.Owner"/>.</param>
public sealed record ReportView(ReportAudience Audience, ReportScope Scope, bool ShowsPerPerson, Member? Owner = null);

/// <summary>
/// Who sees whose report figures, in one place for chat, the weekly digest and the command line. Reps see their own;
/// managers also their team's (the members whose ManagerId is them, and their own deals); admins everyone's.
/// Figures per person in a manager's team need a team of at least Feedback:MinResponses members, as adoption figures
/// do: in a team of two, one rep's figures next to the team total name the other. Admins always see them: they can
/// read the deals and the audit trail themselves, so hiding a breakdown from them would protect no one.
/// </summary>
public sealed class ReportAccess(CrmDbContext db, IOptions<MinimumGroupOptions> groups)
{
    /// <summary>What a member sees when they do not say: a rep their own, a manager their team, an admin everyone.</summary>
    public static ReportAudience DefaultFor(MemberRole role) => role switch
    {
        MemberRole.Admin => ReportAudience.Everyone,
        MemberRole.Manager => ReportAudience.Team,
        _ => ReportAudience.Mine,
    };

    /// <summary>
    /// The view <paramref name="viewer"/> gets of <paramref name="audience"/> (their role's default when null); for
    /// <see cref="ReportAudience.Owner"/>, of <paramref name="owner"/>'s deals. Throws
    /// <see cref="NotAllowedException"/> with a sentence to show when the role does not reach that far.
    /// </summary>
    public async Task<ReportView> ViewAsync(Member viewer, ReportAudience? audience, Member? owner, CancellationToken ct)
    {
        var asked = audience ?? DefaultFor(viewer.Role);
        switch (asked)
        {
            case ReportAudience.Mine:
                return new ReportView(asked, ReportScope.Member(viewer.Id), ShowsPerPerson: true, viewer);
            case ReportAudience.Team when viewer.Role >= MemberRole.Manager:
                return new ReportView(asked, ReportScope.Team(viewer.Id), await ShowsTeamPerPersonAsync(viewer, ct));
            case ReportAudience.Everyone when viewer.Role == MemberRole.Admin:
                return new ReportView(asked, ReportScope.Everyone, ShowsPerPerson: true);
            case ReportAudience.Owner when owner is not null:
                if (owner.Id == viewer.Id) return new ReportView(ReportAudience.Mine, ReportScope.Member(viewer.Id), true, viewer);
                if (viewer.Role == MemberRole.Admin) return new ReportView(asked, ReportScope.Member(owner.Id), true, owner);
                if (viewer.Role == MemberRole.Manager && owner.ManagerId == viewer.Id)
                {
                    if (await ShowsTeamPerPersonAsync(viewer, ct)) return new ReportView(asked, ReportScope.Member(owner.Id), true, owner);
                    throw new NotAllowedException(
                        $"Figures for one person show for teams of at least {groups.Value.MinResponses}: in a smaller team they would tell the others' apart. Your team's totals are in `pipeline`.");
                }
                throw new NotAllowedException(viewer.Role == MemberRole.Manager
                    ? $"{owner.DisplayName} is not in your team: you see your own and your team's figures."
                    : "You see your own figures; a manager sees the team's.");
            case ReportAudience.Owner:
                throw new ArgumentException("An owner's view needs the owner.", nameof(owner));
            default:
                throw new NotAllowedException(viewer.Role == MemberRole.Manager
                    ? "You see your own and your team's figures; everyone's are for admins."
                    : "You see your own figures; a manager sees the team's, an admin everyone's.");
        }
    }

    /// <summary>The team view of a manager (or admin) for the weekly digest and other messages no one typed.</summary>
    public async Task<bool> ShowsTeamPerPersonAsync(Member manager, CancellationToken ct) =>
        manager.Role == MemberRole.Admin
        || await db.Members.AsNoTracking().CountAsync(m => m.ManagerId == manager.Id, ct) >= groups.Value.MinResponses;
}

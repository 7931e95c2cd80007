using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrmBot.Conversations.Engine;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Surveys;

/// <summary>
/// Roles and teams, for admins: `promote Jane Doe to manager|admin|rep` and
/// `assign Sam Rep to Jane Doe` (whose team a member is in, which is what a manager's `adoption` shows).
/// Admins start from Crm:Admins; an admin made here keeps the role when that list changes. Every change is audited.
/// </summary>
public sealed partial class RolesFeature(MemberService members) : IChatFeature
{
    public IReadOnlyCollection<string> Verbs { get; } = [];

    public IEnumerable<HelpEntry> Help { get; } =
    [
        new("promote Megan to manager", "Change a member's role (manager, admin or rep)", AdminOnly: true),
        new("assign Megan to Mike", "Put a member in a manager's team", AdminOnly: true),
    ];

    public FeatureClaim? Claim(Utterance u)
    {
        if (Promote().Match(u.Text) is { Success: true } p)
            return new FeatureClaim("promote", 1.0, new Dictionary<string, string> { ["name"] = p.Groups[1].Value, ["role"] = p.Groups[2].Value.ToLowerInvariant() });
        if (Assign().Match(u.Text) is { Success: true } a)
            return new FeatureClaim("assign", 0.95, new Dictionary<string, string> { ["name"] = a.Groups[1].Value, ["manager"] = a.Groups[2].Value });
        return null;
    }

    public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
    {
        if (!context.IsAdmin)
        {
            context.ReplyText("Only admins can change roles and teams.");
            return;
        }
        var member = await FindAsync(context, claim.Entity("name")!, ct);
        if (member is null) return;
        var actor = MemberService.ActorFor(context.Member, context.Channel);
        if (claim.Intent == "promote")
        {
            var role = claim.Entity("role") switch { "admin" => MemberRole.Admin, "manager" => MemberRole.Manager, _ => MemberRole.Rep };
            try
            {
                await members.SetRoleAsync(member.Id, role, actor, ct);
                context.ReplyText($"{member.DisplayName} is now {Article(role)} {role.ToString().ToLowerInvariant()}.");
            }
            catch (CrmException e)
            {
                context.ReplyText(e.Message);
            }
            return;
        }

        var manager = await FindAsync(context, claim.Entity("manager")!, ct);
        if (manager is null) return;
        try
        {
            await members.SetManagerAsync(member.Id, manager.Id, actor, ct);
        }
        catch (CrmException e)
        {
            context.ReplyText(e.Message);
            return;
        }
        var note = manager.Role == MemberRole.Rep ? $" ({manager.DisplayName} is a rep: `promote {manager.DisplayName} to manager` lets them see their team's adoption.)" : "";
        context.ReplyText($"{member.DisplayName} is now in {manager.DisplayName}'s team.{note}");
    }

    public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;

    /// <summary>One member by name, e-mail or number (<see cref="MemberService.MatchAsync"/>); asks again when it is not one.</summary>
    private async Task<Member?> FindAsync(TurnContext context, string name, CancellationToken ct)
    {
        var matches = await members.MatchAsync(name, ct);
        if (matches.Count == 1) return matches[0];
        context.ReplyText(matches.Count == 0
            ? $"No member is called “{name}”. Members appear once they have written to the bot."
            : $"“{name}” could be {string.Join(", ", matches.Take(5).Select(m => $"{m.DisplayName} ({m.Channel})"))}: use the full name.");
        return null;
    }

    private static string Article(MemberRole role) => role == MemberRole.Admin ? "an" : "a";

    [GeneratedRegex(@"^\s*promote\s+@?(.+?)\s+to\s+(manager|admin|rep)\s*[.!]?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Promote();

    [GeneratedRegex(@"^\s*assign\s+@?(.+?)\s+to\s+@?(.+?)(?:'s team|\s+team)?\s*[.!]?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Assign();
}

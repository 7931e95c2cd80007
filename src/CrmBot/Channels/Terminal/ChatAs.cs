using System.Globalization;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Channels.Terminal;

/// <summary>
/// `chat --as`: who the terminal speaks as, so roles, teams and surveys can be tried on one local store without
/// Teams or Slack. An existing member (by number, or by name folded as everywhere else) is used as is, with their
/// own channel identity, so the engine treats each turn exactly as one of theirs; a name that is nobody's becomes
/// a new terminal member.
/// </summary>
internal static class ChatAs
{
    /// <summary>Either the user to send turns as (with a note to show when one was created), or why there is none.</summary>
    public sealed record Choice(ChatUser? User, Member? Member, string? Note, string? Error);

    /// <summary>Members listed in an error, at most; a store can hold a whole company.</summary>
    private const int Listed = 10;

    public static async Task<Choice> ResolveAsync(IServiceProvider services, string who, CancellationToken ct)
    {
        var db = services.GetRequiredService<CrmDbContext>();
        var members = await db.Members.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
        var text = who.Trim();

        if (int.TryParse(text.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return members.FirstOrDefault(m => m.Id == id) is { } byId
                ? As(byId)
                : Refuse($"There is no member #{id}.", members);

        var folded = TextFold.Fold(text);
        if (folded.Length == 0) return Refuse("--as needs a member's name or number.", members);
        var exact = members.Where(m => TextFold.Fold(m.DisplayName) == folded).ToList();
        var matches = exact.Count > 0 ? exact : members.Where(m => TextFold.Fold(m.DisplayName).Contains(folded, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1) return As(matches[0]);
        if (matches.Count > 1) return Refuse($"“{text}” could be more than one member; give the number instead.", matches);

        // Nobody by that name: someone new to try things as. The user id comes from the name, so the same
        // name gives the same member even if it is later renamed.
        var terminal = MemberService.TerminalIdentity();
        var identity = new MemberIdentity(ChannelIds.Terminal, MemberService.TerminalTenant,
            "as:" + folded.Replace(' ', '-'), text, terminal.TimeZone);
        var created = await services.GetRequiredService<MemberService>().ResolveAsync(identity, ct);
        return As(created) with { Note = $"No member is called “{text}”, so you are a new terminal member: {Describe(created)}." };
    }

    /// <summary>"#2 Maria Müller (manager, msteams)".</summary>
    public static string Describe(Member m) =>
        $"#{m.Id.ToString(CultureInfo.InvariantCulture)} {m.DisplayName} ({m.Role.ToString().ToLowerInvariant()}, {m.Channel})";

    // Only the identity: display name, zone and email stay as the member's own channel last set them.
    private static Choice As(Member m) => new(new ChatUser(m.Channel, m.TenantId, m.UserId), m, null, null);

    private static Choice Refuse(string why, IReadOnlyList<Member> candidates)
    {
        var list = candidates.Count == 0
            ? " The store has no members yet: give a name to start as a new one."
            : $" Members: {string.Join(", ", candidates.Take(Listed).Select(Describe))}{(candidates.Count > Listed ? $" and {candidates.Count - Listed} more" : "")}.";
        return new(null, null, null, why + list);
    }
}

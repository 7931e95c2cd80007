using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Chat commands of proactive messaging: each member's digest and notification choices, and the
/// admins' view of the outbox.
/// </summary>
internal sealed class ProactiveFeature(CrmDbContext db, OutboxLeases outbox, IOptions<CrmOptions> crm, TimeProvider clock) : IChatFeature
{
    public IReadOnlyCollection<string> Verbs { get; } = [];

    public IEnumerable<HelpEntry> Help { get; } =
    [
        new("digest on · digest at 08:30 · digest off", "Your workday morning digest of due and overdue follow-ups"),
        new("weekly digest · weekly digest on · weekly digest off", "Managers and admins: your team's pipeline, forecast, last week's moves and stale deals, Mondays at your digest time"),
        new("weekly digest everyone · weekly digest team", "Your weekly digest for everyone's deals, or back to your team's", AdminOnly: true),
        new("notify instant · notify digest", "Stage changes of your deals made by others: a message at once, or in your digest"),
        new("outbox · outbox retry", "Proactive messages waiting or failed; retry re-sends the failed ones", AdminOnly: true),
    ];

    public FeatureClaim? Claim(Utterance u)
    {
        if (u.StartsWith("weekly", "digest")) return Intent("weekly", u.After(2));
        if (u.StartsWith("digest")) return Intent("digest", u.After(1));
        if (u.StartsWith("notify")) return Intent("notify", u.After(1));
        if (u.StartsWith("outbox")) return Intent("outbox", u.After(1));
        return null;
    }

    private static FeatureClaim Intent(string intent, string rest) =>
        new(intent, 1.0, new Dictionary<string, string> { ["rest"] = rest.Trim() });

    public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;

    public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
    {
        var rest = claim.Entity("rest") ?? "";
        switch (claim.Intent)
        {
            case "digest": await DigestAsync(context, rest, ct); break;
            case "notify": await NotifyAsync(context, rest, ct); break;
            case "weekly": await WeeklyAsync(context, rest, ct); break;
            case "outbox": await OutboxAsync(context, rest, ct); break;
        }
    }

    private async Task DigestAsync(TurnContext context, string rest, CancellationToken ct)
    {
        var words = rest.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var member = await db.Members.FindAsync([context.Member.Id], ct) ?? context.Member;
        var before = DigestSetting(member);
        switch (words.FirstOrDefault())
        {
            case null:
                context.ReplyText(Describe(member));
                return;
            case "on":
                member.DigestEnabled = true;
                break;
            case "off":
                member.DigestEnabled = false;
                break;
            case "at":
                var time = string.Join(' ', words.Skip(1));
                if (!TryParseTime(time, out var at))
                {
                    context.ReplyText($"I could not read \"{time}\" as a time. Try `digest at 08:30`.");
                    return;
                }
                member.DigestTime = at;
                member.DigestEnabled = true;
                break;
            default:
                context.ReplyText("Try `digest on`, `digest off` or `digest at 08:30`.");
                return;
        }
        await SaveAsync(context, member, "digest", before, DigestSetting(member), ct);
        context.ReplyText(Describe(member));
    }

    private async Task WeeklyAsync(TurnContext context, string rest, CancellationToken ct)
    {
        var member = await db.Members.FindAsync([context.Member.Id], ct) ?? context.Member;
        if (member.Role == MemberRole.Rep)
        {
            context.ReplyText("The weekly digest is for managers and admins.");
            return;
        }
        var before = WeeklySetting(member);
        switch (rest.ToLowerInvariant())
        {
            case "":
                context.ReplyText(DescribeWeekly(member));
                return;
            case "on":
                member.WeeklyDigestEnabled = true;
                break;
            case "off":
                member.WeeklyDigestEnabled = false;
                break;
            case "everyone" or "team" when member.Role != MemberRole.Admin:
                context.ReplyText("Only admins can choose whose deals their weekly digest covers; yours covers your team.");
                return;
            case "everyone":
                member.WeeklyDigestEveryone = true;
                member.WeeklyDigestEnabled = true;
                break;
            case "team":
                member.WeeklyDigestEveryone = false;
                member.WeeklyDigestEnabled = true;
                break;
            default:
                context.ReplyText(member.Role == MemberRole.Admin
                    ? "Try `weekly digest on`, `weekly digest off`, `weekly digest everyone` or `weekly digest team`."
                    : "Try `weekly digest on` or `weekly digest off`.");
                return;
        }
        await SaveAsync(context, member, "weekly digest", before, WeeklySetting(member), ct);
        context.ReplyText(DescribeWeekly(member));
    }

    private async Task NotifyAsync(TurnContext context, string rest, CancellationToken ct)
    {
        var member = await db.Members.FindAsync([context.Member.Id], ct) ?? context.Member;
        var before = member.StageNotifications.ToString();
        switch (rest.ToLowerInvariant())
        {
            case "instant" or "instantly" or "now":
                member.StageNotifications = NotificationPreference.Instant;
                break;
            case "digest":
                member.StageNotifications = NotificationPreference.Digest;
                break;
            case "":
                context.ReplyText(Describe(member));
                return;
            default:
                context.ReplyText("Try `notify instant` or `notify digest`.");
                return;
        }
        await SaveAsync(context, member, "notify", before, member.StageNotifications.ToString(), ct);
        context.ReplyText(Describe(member));
    }

    private async Task OutboxAsync(TurnContext context, string rest, CancellationToken ct)
    {
        if (!context.IsAdmin)
        {
            context.ReplyText("Only admins can see the outbox.");
            return;
        }
        if (rest.Equals("retry", StringComparison.OrdinalIgnoreCase))
        {
            var requeued = await outbox.RequeueFailedAsync(ct);
            context.ReplyText(requeued == 0 ? "No failed messages to retry." : $"{requeued} failed message(s) queued again.");
            return;
        }

        var summary = await outbox.SummaryAsync(5, ct);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Outbox: {summary.Pending} waiting, {summary.Failed} failed, {summary.Held} held for digests, {summary.SentLastDay} sent in the last 24 h.");
        if (summary.OldestDueAt is { } oldest)
        {
            var age = clock.GetUtcNow().UtcDateTime - oldest;
            if (age > TimeSpan.FromMinutes(1)) text.Append(CultureInfo.InvariantCulture, $" Oldest waiting for {Math.Round(age.TotalMinutes)} min.");
        }
        foreach (var failure in summary.RecentFailures)
            text.Append(CultureInfo.InvariantCulture,
                $"\n- #{failure.Id} {failure.Kind} to {failure.Channel} {Recipient(failure)}, {failure.Attempts} attempt(s): {failure.LastError}");
        if (summary.Failed > 0) text.Append("\nFix the cause, then `outbox retry` sends the failed ones again.");
        context.ReplyText(text.ToString());
    }

    private static string DigestSetting(Member m) =>
        m.DigestEnabled ? "on" + (m.DigestTime is { } t ? " at " + t.ToString("HH:mm", CultureInfo.InvariantCulture) : "") : "off";

    /// <summary>
    /// Saves a preference change with its audit entry. Stage-change notes held for a digest that will
    /// no longer carry them (digest off, or "notify instant") go out at once, in the same transaction.
    /// </summary>
    private async Task SaveAsync(TurnContext context, Member member, string action, string before, string after, CancellationToken ct)
    {
        if (before == after) return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        AuditLog.Add(db, MemberService.ActorFor(member, context.Channel), nameof(Member), member.Id, action, before, after);
        await db.SaveChangesAsync(ct);
        if (!member.DigestEnabled || member.StageNotifications == NotificationPreference.Instant)
            await DigestPlanner.ReleaseHeldAsync(db, member.Id, clock.GetUtcNow().UtcDateTime, ct);
        await tx.CommitAsync(ct);
    }

    private static string WeeklySetting(Member m) =>
        m.WeeklyDigestEnabled ? (m.WeeklyDigestEveryone && m.Role == MemberRole.Admin ? "on, everyone" : "on, team") : "off";

    private static string Recipient(OutboxMessage row) =>
        row.MemberId is { } id ? $"member {id}" : row.ChannelTarget ?? "(conversation)";

    private string Describe(Member member)
    {
        var time = (member.DigestTime ?? DigestSchedule.DefaultTime(crm.Value)).ToString("HH:mm", CultureInfo.InvariantCulture);
        var digest = member.DigestEnabled
            ? $"Your digest comes on workdays at {time} ({member.TimeZone}) when something is due."
            : "Your digest is off (`digest on` to get it back).";
        var notify = member.StageNotifications == NotificationPreference.Digest && member.DigestEnabled
            ? "Stage changes others make to your deals wait for your digest."
            : "Stage changes others make to your deals reach you at once.";
        return member.Role == MemberRole.Rep ? digest + " " + notify : digest + " " + notify + " " + DescribeWeekly(member);
    }

    private string DescribeWeekly(Member member)
    {
        if (!member.WeeklyDigestEnabled) return "Your weekly digest is off (`weekly digest on` to get it back).";
        var time = (member.DigestTime ?? DigestSchedule.DefaultTime(crm.Value)).ToString("HH:mm", CultureInfo.InvariantCulture);
        var whose = member.Role == MemberRole.Admin && member.WeeklyDigestEveryone ? "everyone's" : "your team's";
        return $"Your weekly digest of {whose} pipeline, forecast, last week's moves and stale deals comes on Mondays at {time} ({member.TimeZone}).";
    }

    /// <summary>"08:30", "8:30", "8.30", "8:30 am", "14h05".</summary>
    internal static bool TryParseTime(string text, out TimeOnly time)
    {
        var t = text.Trim().Replace('.', ':').Replace('h', ':');
        if (t.EndsWith(':')) t += "00";
        string[] formats = ["H:mm", "HH:mm", "h:mm tt", "h:mmtt", "h tt", "htt", "%H"];
        return TimeOnly.TryParseExact(t.ToUpperInvariant(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out time);
    }
}

using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

/// <summary>A chat identity as a channel reports it; the optional parts refresh the member when given.</summary>
public sealed record MemberIdentity(string Channel, string TenantId, string UserId,
    string? DisplayName = null, string? TimeZone = null, string? Email = null, string? AadObjectId = null, string? Locale = null);

/// <summary>Maps chat identities to members, and keeps their roles.</summary>
public sealed class MemberService(CrmDbContext db, TimeProvider clock, IOptions<CrmOptions> options, ILogger<MemberService> logger)
{
    public const string TerminalTenant = "local";

    /// <summary>
    /// The person at the terminal (the `chat` and `seed-demo` verbs): one member per OS user, in the
    /// machine's own time zone (as IANA id; UTC when the machine's zone has none).
    /// </summary>
    public static MemberIdentity TerminalIdentity()
    {
        var user = string.IsNullOrWhiteSpace(Environment.UserName) ? "local-user" : Environment.UserName;
        var local = TimeZoneInfo.Local;
        var zone = local.HasIanaId ? local.Id
            : TimeZoneInfo.TryConvertWindowsIdToIanaId(local.Id, out var iana) ? iana : "UTC";
        return new MemberIdentity(ChannelIds.Terminal, TerminalTenant, user, DisplayName: user, TimeZone: zone);
    }

    /// <summary>LastSeenAt is moved on when it is at least this old.</summary>
    public static readonly TimeSpan LastSeenGranularity = TimeSpan.FromMinutes(5);

    public static Actor ActorFor(Member m, string channel) => new(m.Id, m.DisplayName, channel);

    /// <summary>
    /// The member behind a chat identity, created on first sight (Admin when its user id or email
    /// is in Crm:Admins, else Rep). Display name, time zone, email and AAD id are refreshed when
    /// given and changed; LastSeenAt is moved on when older than <see cref="LastSeenGranularity"/>.
    /// </summary>
    public async Task<Member> ResolveAsync(MemberIdentity identity, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identity.Channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(identity.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(identity.UserId);

        var member = await Find(identity, ct);
        if (member is null)
        {
            member = await TryCreateAsync(identity, ct);
            // Two first messages from one person can race; the unique index picks one winner.
            if (member is not null) return member;
            member = await Find(identity, ct) ?? throw new InvalidOperationException("Member vanished after a create race.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        // A turn carrying a survey answer neither counts as "seen" nor refreshes the profile: either write would
        // name the member in (or right beside) the answer's commit. The next ordinary turn catches up.
        if (db.Deferred is { Unattributed: true }) return member;
        var seenAgain = member.LastSeenAt is not { } seen || now - seen >= LastSeenGranularity;
        var displayName = Clean(identity.DisplayName);
        var email = NormalizeEmail(identity.Email);
        var aadObjectId = Clean(identity.AadObjectId);
        var zone = Clean(identity.TimeZone);
        if (zone is not null && !LocalDay.IsKnownZone(zone))
        {
            logger.UnknownTimeZone(zone, member.Id, member.TimeZone);
            zone = null;
        }
        // A date order is only ever filled in from the locale, never changed by it: the member's own answer wins.
        var dateOrder = member.DateOrder is null ? DateOrderOf(identity.Locale) : null;
        if (Changes(member.DisplayName, displayName) || Changes(member.Email, email)
            || Changes(member.AadObjectId, aadObjectId) || Changes(member.TimeZone, zone) || dateOrder is not null)
        {
            // A new name, address or zone: rare, so tracked, audited and saved by EF.
            member = RowReads.Track(db, member);
            var actor = ActorFor(member, identity.Channel);
            Refresh(member, nameof(Member.DisplayName), member.DisplayName, displayName, v => member.DisplayName = v!, actor);
            Refresh(member, nameof(Member.Email), member.Email, email, v => member.Email = v, actor);
            Refresh(member, nameof(Member.AadObjectId), member.AadObjectId, aadObjectId, v => member.AadObjectId = v, actor);
            Refresh(member, nameof(Member.TimeZone), member.TimeZone, zone, v => member.TimeZone = v!, actor);
            Refresh(member, nameof(Member.DateOrder), member.DateOrder?.ToString(), dateOrder?.ToString(), _ => member.DateOrder = dateOrder, actor);
            if (seenAgain) member.LastSeenAt = now;
            await db.SaveChangesAsync(ct);
        }
        else if (seenAgain)
        {
            // Adoption counts active days, so "seen" needs no finer grain than a few minutes; moving it on
            // every message was a write (and a commit) per turn for nothing. The common write, alone: one
            // UPDATE rather than SaveChanges' change-tracking round, and in a chat turn not even a commit of
            // its own: it goes with the turn's (DeferredWrites).
            FormattableString update = $"""UPDATE "Members" SET "LastSeenAt" = {now} WHERE "Id" = {member.Id}""";
            if (!DeferredWrites.TryDefer(db, update)) await db.Database.ExecuteSqlAsync(update, ct);
            if (db.Members.Local.FindEntry(member.Id) is { } tracked)
            {
                var lastSeen = tracked.Property(m => m.LastSeenAt);
                lastSeen.CurrentValue = now;
                lastSeen.OriginalValue = now;
            }
            else
            {
                member.LastSeenAt = now;
            }
        }
        return member;
    }

    /// <summary>
    /// How people of a locale write a day and month in numbers: "en-US" 1/5 is 5 Jan, "en-GB" and "de-DE" 1 May.
    /// Read from the culture's short date pattern; null when the locale is missing or unknown.
    /// </summary>
    public static DateOrder? DateOrderOf(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale)) return null;
        System.Globalization.CultureInfo culture;
        try { culture = System.Globalization.CultureInfo.GetCultureInfo(locale.Trim()); }
        catch (System.Globalization.CultureNotFoundException) { return null; }
        if (culture.Equals(System.Globalization.CultureInfo.InvariantCulture)) return null;
        var pattern = culture.DateTimeFormat.ShortDatePattern;
        int month = pattern.IndexOf('M'), day = pattern.IndexOf('d');
        return month < 0 || day < 0 ? null : month < day ? DateOrder.MonthFirst : DateOrder.DayFirst;
    }

    /// <summary>The member's own answer to "1/5: 5 Jan or 1 May?", kept for every later date; audited.</summary>
    public async Task SetDateOrderAsync(int memberId, DateOrder order, Actor actor, CancellationToken ct)
    {
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, ct)
            ?? throw new CrmException($"There is no member #{memberId}.");
        if (member.DateOrder == order) return;
        AuditLog.Add(db, actor, nameof(Member), member.Id, "updated", $"DateOrder: {member.DateOrder}", $"DateOrder: {order}");
        member.DateOrder = order;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Changes a member's role. Only an admin may, and the last admin cannot step down.</summary>
    public async Task<Member> SetRoleAsync(int memberId, MemberRole role, Actor actor, CancellationToken ct)
    {
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, ct)
            ?? throw new CrmException($"There is no member #{memberId}.");
        var by = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == actor.MemberId, ct);
        if (by is not { Role: MemberRole.Admin }) throw new CrmException("Only an admin can change roles.");
        if (member.Role == role) return member;
        if (member.Role == MemberRole.Admin && await db.Members.CountAsync(m => m.Role == MemberRole.Admin, ct) == 1)
            throw new CrmException($"{member.DisplayName} is the only admin; make someone else admin first.");

        var old = member.Role;
        member.Role = role;
        AuditLog.Add(db, actor, nameof(Member), member.Id, "role", old.ToString(), role.ToString());
        await db.SaveChangesAsync(ct);
        logger.RoleChanged(member.Id, old, role, actor.MemberId);
        return member;
    }

    /// <summary>
    /// Every turn asks this first, so it is a prepared statement, not an EF query (RowReads). The member comes
    /// back untracked unless this context already tracks it; ResolveAsync attaches it before changing it.
    /// </summary>
    private Task<Member?> Find(MemberIdentity identity, CancellationToken ct) =>
        RowReads.FirstAsync<Member>(db, "\"Channel\" = @p0 AND \"TenantId\" = @p1 AND \"UserId\" = @p2",
            [identity.Channel, identity.TenantId, identity.UserId], ct);

    private static bool Changes(string? current, string? given) => given is not null && !string.Equals(current, given, StringComparison.Ordinal);

    private async Task<Member?> TryCreateAsync(MemberIdentity identity, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var email = NormalizeEmail(identity.Email);
        var member = new Member
        {
            Channel = identity.Channel,
            TenantId = identity.TenantId,
            UserId = identity.UserId,
            DisplayName = Clean(identity.DisplayName) ?? identity.UserId,
            Email = email,
            AadObjectId = Clean(identity.AadObjectId),
            TimeZone = LocalDay.IsKnownZone(identity.TimeZone) ? identity.TimeZone!.Trim() : "UTC",
            DateOrder = DateOrderOf(identity.Locale),
            Role = IsConfiguredAdmin(identity.UserId, email) ? MemberRole.Admin : MemberRole.Rep,
            CreatedAt = now,
            LastSeenAt = now,
        };
        db.Members.Add(member);
        var created = await db.InTransactionAsync(async () =>
        {
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: 19 })
            {
                db.Entry(member).State = EntityState.Detached;
                return false;
            }
            AuditLog.Add(db, ActorFor(member, identity.Channel), nameof(Member), member.Id, "created", null,
                $"{member.DisplayName} ({member.Role}, {member.TimeZone})");
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);
        if (!created) return null;
        logger.MemberCreated(member.Id, member.Channel, member.Role);
        return member;
    }

    private bool IsConfiguredAdmin(string userId, string? email) =>
        options.Value.Admins.Any(a => string.Equals(a.Trim(), userId, StringComparison.OrdinalIgnoreCase)
            || (email is not null && string.Equals(a.Trim(), email, StringComparison.OrdinalIgnoreCase)));

    private void Refresh(Member member, string field, string? current, string? given, Action<string?> set, Actor actor)
    {
        if (!Changes(current, given)) return;
        set(given);
        AuditLog.Add(db, actor, nameof(Member), member.Id, "updated", $"{field}: {current}", $"{field}: {given}");
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? NormalizeEmail(string? email) => Clean(email)?.ToLowerInvariant();
}

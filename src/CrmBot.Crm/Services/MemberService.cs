using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
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

    /// <summary>Who makes the changes Crm:Admins calls for, in the audit trail.</summary>
    public static Actor ConfigActor { get; } = new(0, "configuration (Crm:Admins)", "config");

    /// <summary>The person at the server's command line (the `members` verb): they hold the store already.</summary>
    public static Actor OperatorActor { get; } = ActorFor(Surveys.SurveyService.Operator, Surveys.SurveyService.Operator.Channel);

    /// <summary>
    /// The member behind a chat identity, created on first sight (Admin when its user id, AAD id or email
    /// is in Crm:Admins, else Rep). Display name, time zone, email and AAD id are refreshed when
    /// given and changed (and Crm:Admins applied again when the email or AAD id is new); LastSeenAt is moved
    /// on when older than <see cref="LastSeenGranularity"/>.
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
            var newAddress = Changes(member.Email, email) || Changes(member.AadObjectId, aadObjectId);
            Refresh(member, nameof(Member.DisplayName), member.DisplayName, displayName, v => member.DisplayName = v!, actor);
            Refresh(member, nameof(Member.Email), member.Email, email, v => member.Email = v, actor);
            Refresh(member, nameof(Member.AadObjectId), member.AadObjectId, aadObjectId, v => member.AadObjectId = v, actor);
            Refresh(member, nameof(Member.TimeZone), member.TimeZone, zone, v => member.TimeZone = v!, actor);
            Refresh(member, nameof(Member.DateOrder), member.DateOrder?.ToString(), dateOrder?.ToString(), _ => member.DateOrder = dateOrder, actor);
            if (newAddress) ApplyConfiguredAdmins(member);
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

    /// <summary>
    /// Changes a member's role. Only an admin (or the operator: a system actor) may, and the last admin cannot step
    /// down. An admin made here is <paramref name="grant"/>'s (chat or operator), so Crm:Admins never takes it back;
    /// making a list admin admin again turns it into such a grant.
    /// </summary>
    public async Task<Member> SetRoleAsync(int memberId, MemberRole role, Actor actor, CancellationToken ct, AdminGrant grant = AdminGrant.Chat)
    {
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, ct)
            ?? throw new CrmException($"There is no member #{memberId}.");
        await EnsureMayChangeRolesAsync(actor, ct);
        if (member.Role == role)
        {
            if (role == MemberRole.Admin && member.AdminGrant != grant)
            {
                AuditLog.Add(db, actor, nameof(Member), member.Id, "admin grant", member.AdminGrant.ToString(), grant.ToString());
                member.AdminGrant = grant;
                member.RoleBeforeConfig = null;
                await db.SaveChangesAsync(ct);
            }
            return member;
        }
        if (member.Role == MemberRole.Admin && await db.Members.CountAsync(m => m.Role == MemberRole.Admin, ct) == 1)
            throw new CrmException($"{member.DisplayName} is the only admin; make someone else admin first.");

        var old = member.Role;
        member.Role = role;
        member.AdminGrant = role == MemberRole.Admin ? grant : AdminGrant.None;
        member.RoleBeforeConfig = null;
        AuditLog.Add(db, actor, nameof(Member), member.Id, "role", old.ToString(), role.ToString());
        await db.SaveChangesAsync(ct);
        logger.RoleChanged(member.Id, old, role, actor.MemberId);
        return member;
    }

    /// <summary>
    /// Puts a member in a manager's team (whose adoption the manager sees), or in none when <paramref name="managerId"/>
    /// is null. Only an admin or the operator may; audited. Returns the manager (null when cleared).
    /// </summary>
    public async Task<Member?> SetManagerAsync(int memberId, int? managerId, Actor actor, CancellationToken ct)
    {
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, ct)
            ?? throw new CrmException($"There is no member #{memberId}.");
        await EnsureMayChangeRolesAsync(actor, ct);
        Member? manager = null;
        if (managerId is { } id)
        {
            if (id == member.Id) throw new CrmException("A member cannot be in their own team.");
            manager = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct)
                ?? throw new CrmException($"There is no member #{id}.");
        }
        if (member.ManagerId == managerId) return manager;
        var old = member.ManagerId;
        member.ManagerId = managerId;
        AuditLog.Add(db, actor, nameof(Member), member.Id, "manager", Number(old), Number(managerId));
        await db.SaveChangesAsync(ct);
        return manager;
    }

    /// <summary>
    /// Crm:Admins over every member, at each start of the service: a listed member becomes admin (remembering the
    /// role they had), and an admin the list made and no longer names gets that role back. Admins made in chat or by
    /// the operator are left alone. Each change is audited as the configuration's. Returns how many changed.
    /// </summary>
    public async Task<int> ApplyConfiguredAdminsAsync(CancellationToken ct)
    {
        var changed = 0;
        // Only the members the list can change are read: those it may name (by any of three fields, compared as
        // IsConfiguredAdmin does, which then decides) and the admins it made. Start-up does not load every member.
        var listed = options.Value.Admins.Select(a => a.Trim().ToLowerInvariant()).Where(a => a.Length > 0).Distinct().ToList();
        var candidates = await db.Members
            .Where(m => m.AdminGrant == AdminGrant.Config || listed.Contains(m.UserId.ToLower())
                || (m.Email != null && listed.Contains(m.Email.ToLower()))
                || (m.AadObjectId != null && listed.Contains(m.AadObjectId.ToLower())))
            .OrderBy(m => m.Id).ToListAsync(ct);
        foreach (var member in candidates)
            if (ApplyConfiguredAdmins(member)) changed++;
        if (changed > 0) await db.SaveChangesAsync(ct);
        return changed;
    }

    /// <summary>
    /// What a channel told us about a member after their turn (Teams' conversation members API): the e-mail and AAD
    /// id when it gave them, and that it was asked (so a failure is retried later, not every turn). A new e-mail is
    /// audited and Crm:Admins is applied to it at once. Null when the member is gone.
    /// </summary>
    public async Task<Member?> RecordEmailLookupAsync(int memberId, string? email, string? aadObjectId, CancellationToken ct)
    {
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, ct);
        if (member is null) return null;
        member.EmailLookupAt = clock.GetUtcNow().UtcDateTime;
        email = NormalizeEmail(email);
        aadObjectId = Clean(aadObjectId);
        var newAddress = Changes(member.Email, email) || (member.AadObjectId is null && aadObjectId is not null);
        if (newAddress)
        {
            var actor = ActorFor(member, member.Channel);
            Refresh(member, nameof(Member.Email), member.Email, email, v => member.Email = v, actor);
            if (member.AadObjectId is null)
                Refresh(member, nameof(Member.AadObjectId), member.AadObjectId, aadObjectId, v => member.AadObjectId = v, actor);
            ApplyConfiguredAdmins(member);
        }
        await db.SaveChangesAsync(ct);
        return member;
    }

    /// <summary>
    /// The members a person means by <paramref name="who"/>: a member number ("12" or "#12"), an e-mail, a channel
    /// user id or AAD object id, else a name (the exact folded name first, then a part of it). One member, or the
    /// candidates to ask about (none: nobody matches). Untracked.
    /// </summary>
    public async Task<IReadOnlyList<Member>> MatchAsync(string who, CancellationToken ct)
    {
        var text = who.Trim();
        var all = await db.Members.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
        if (int.TryParse(text.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && all.FirstOrDefault(m => m.Id == id) is { } numbered)
            return [numbered];
        var byId = all.Where(m => string.Equals(m.Email, text, StringComparison.OrdinalIgnoreCase)
            || m.UserId == text || string.Equals(m.AadObjectId, text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byId.Count > 0) return byId;
        var folded = Text.TextFold.Fold(text);
        if (folded.Length == 0) return [];
        var exact = all.Where(m => Text.TextFold.Fold(m.DisplayName) == folded).ToList();
        return exact.Count > 0 ? exact : all.Where(m => Text.TextFold.Fold(m.DisplayName).Contains(folded, StringComparison.Ordinal)).ToList();
    }

    private async Task EnsureMayChangeRolesAsync(Actor actor, CancellationToken ct)
    {
        // MemberId 0 is a system actor: the operator at the command line, who holds the store anyway.
        if (actor.MemberId <= 0) return;
        var by = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == actor.MemberId, ct);
        if (by is not { Role: MemberRole.Admin }) throw new CrmException("Only an admin can change roles.");
    }

    /// <summary>
    /// Crm:Admins applied to one tracked member; true when it changed their role. A member the list drops gets back
    /// the role they had before it (kept on the member), not one guessed from their team: a manager with no team yet
    /// stays a manager, and a rep someone happens to report to stays a rep.
    /// </summary>
    private bool ApplyConfiguredAdmins(Member member)
    {
        var old = member.Role;
        if (IsConfiguredAdmin(member.UserId, member.AadObjectId, member.Email))
        {
            if (member.Role == MemberRole.Admin) return false;
            member.RoleBeforeConfig = member.Role;
            member.Role = MemberRole.Admin;
            member.AdminGrant = AdminGrant.Config;
        }
        else if (member is { Role: MemberRole.Admin, AdminGrant: AdminGrant.Config })
        {
            member.Role = member.RoleBeforeConfig ?? MemberRole.Rep;
            member.AdminGrant = AdminGrant.None;
            member.RoleBeforeConfig = null;
        }
        else
        {
            return false;
        }
        AuditLog.Add(db, ConfigActor, nameof(Member), member.Id, "role", old.ToString(), member.Role.ToString());
        logger.RoleChanged(member.Id, old, member.Role, ConfigActor.MemberId);
        return true;
    }

    private static string? Number(int? id) => id?.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
        var aadObjectId = Clean(identity.AadObjectId);
        var listed = IsConfiguredAdmin(identity.UserId, aadObjectId, email);
        var member = new Member
        {
            Channel = identity.Channel,
            TenantId = identity.TenantId,
            UserId = identity.UserId,
            DisplayName = Clean(identity.DisplayName) ?? identity.UserId,
            Email = email,
            AadObjectId = aadObjectId,
            TimeZone = LocalDay.IsKnownZone(identity.TimeZone) ? identity.TimeZone!.Trim() : "UTC",
            DateOrder = DateOrderOf(identity.Locale),
            Role = listed ? MemberRole.Admin : MemberRole.Rep,
            AdminGrant = listed ? AdminGrant.Config : AdminGrant.None,
            RoleBeforeConfig = listed ? MemberRole.Rep : null,
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
            catch (DbUpdateException ex) when (StoreErrors.IsUniqueViolation(ex))
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

    /// <summary>Whether Crm:Admins names this member, by channel user id, AAD object id or e-mail.</summary>
    private bool IsConfiguredAdmin(string userId, string? aadObjectId, string? email) =>
        options.Value.Admins.Any(a => Same(a, userId) || Same(a, aadObjectId) || Same(a, email));

    private static bool Same(string listed, string? value) =>
        value is not null && string.Equals(listed.Trim(), value, StringComparison.OrdinalIgnoreCase);

    private void Refresh(Member member, string field, string? current, string? given, Action<string?> set, Actor actor)
    {
        if (!Changes(current, given)) return;
        set(given);
        AuditLog.Add(db, actor, nameof(Member), member.Id, "updated", $"{field}: {current}", $"{field}: {given}");
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? NormalizeEmail(string? email) => Clean(email)?.ToLowerInvariant();
}

namespace CrmBot.Crm.Model;

public enum MemberRole { Rep = 0, Manager = 1, Admin = 2 }

/// <summary>
/// Where a member's admin role came from. Crm:Admins takes back only what it gave (<see cref="Config"/>); an admin
/// made in chat or by the operator keeps the role when the list changes.
/// </summary>
public enum AdminGrant { None = 0, Config = 1, Chat = 2, Operator = 3 }

/// <summary>How a member wants stage-change notifications: at once, or folded into the morning digest.</summary>
public enum NotificationPreference { Instant = 0, Digest = 1 }

/// <summary>How a member writes numeric dates: "1/5" is 5 January month-first and 1 May day-first.</summary>
public enum DateOrder { MonthFirst = 0, DayFirst = 1 }

/// <summary>
/// A chat identity (channel + tenant/workspace + user id) mapped to one CRM user.
/// Everything a member owns or logs points here.
/// </summary>
public class Member
{
    public int Id { get; set; }
    /// <summary>"msteams", "slack" or "terminal".</summary>
    public required string Channel { get; set; }
    /// <summary>AAD tenant id (Teams) or workspace/team id (Slack).</summary>
    public required string TenantId { get; set; }
    /// <summary>The channel's user id (Teams 29:… id, Slack U…).</summary>
    public required string UserId { get; set; }
    /// <summary>Teams AAD object id, when known; stable across conversations.</summary>
    public string? AadObjectId { get; set; }
    public required string DisplayName { get; set; }
    public string? Email { get; set; }
    public MemberRole Role { get; set; }
    /// <summary>Who made this member admin; None when they are not one.</summary>
    public AdminGrant AdminGrant { get; set; }
    /// <summary>The role held before Crm:Admins made this member admin, given back when the list drops them.</summary>
    public MemberRole? RoleBeforeConfig { get; set; }
    /// <summary>
    /// The last time the e-mail was asked of the channel (Teams' conversation members API), so a failed lookup is
    /// retried later, not on every turn. Null when it was never asked.
    /// </summary>
    public DateTime? EmailLookupAt { get; set; }
    /// <summary>IANA time zone id; "today" and the digest are read in it.</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>The manager whose team this member is in (adoption metrics for managers).</summary>
    public int? ManagerId { get; set; }
    public Member? Manager { get; set; }
    public bool DigestEnabled { get; set; } = true;
    /// <summary>Local time of this member's digest; null means Crm:DigestTime.</summary>
    public TimeOnly? DigestTime { get; set; }
    public NotificationPreference StageNotifications { get; set; }
    /// <summary>Whether a manager or admin gets the Monday weekly digest; reps never do, whatever this says.</summary>
    public bool WeeklyDigestEnabled { get; set; } = true;
    /// <summary>An admin's weekly digest covers everyone's deals instead of their own team's.</summary>
    public bool WeeklyDigestEveryone { get; set; }
    /// <summary>How this member's numeric dates read; null until known (then they read month-first).</summary>
    public DateOrder? DateOrder { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
}

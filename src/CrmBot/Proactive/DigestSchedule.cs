using System.Globalization;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Crm;
using CrmBot.Crm.Model;

namespace CrmBot.Proactive;

/// <summary>When a member's digests are due: the morning one on workdays (Mon–Fri), the weekly one on Mondays, at their time, in their own zone.</summary>
public static class DigestSchedule
{
    public static TimeOnly DefaultTime(CrmOptions options) =>
        TimeOnly.ParseExact(options.DigestTime, "HH:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// The member's local date whose digest is due at <paramref name="now"/>, or null (off, weekend,
    /// or not yet their time). Once due it stays due for the rest of that local day, so a service that
    /// was down at 09:00 still delivers that morning's digest when it comes back; the dedupe key
    /// makes sure it is planned once.
    /// </summary>
    public static DateOnly? DueDate(Member member, TimeOnly defaultTime, DateTimeOffset now) =>
        member.DigestEnabled ? DueOn(member, defaultTime, now, d => d is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) : null;

    /// <summary>
    /// The member's local Monday whose weekly digest is due at <paramref name="now"/>, or null: the same time and
    /// zone as the morning digest, Mondays only, and due for the rest of that Monday like it. Whether the member may
    /// and wants to get it is the planner's question (<see cref="WeeklyDigestPlanner"/>).
    /// </summary>
    public static DateOnly? WeeklyDueDate(Member member, TimeOnly defaultTime, DateTimeOffset now) =>
        DueOn(member, defaultTime, now, d => d == DayOfWeek.Monday);

    private static DateOnly? DueOn(Member member, TimeOnly defaultTime, DateTimeOffset now, Func<DayOfWeek, bool> day)
    {
        var local = TimeZoneInfo.ConvertTime(now, MemberTime.Zone(member.TimeZone));
        if (!day(local.DayOfWeek)) return null;
        if (TimeOnly.FromDateTime(local.DateTime) < (member.DigestTime ?? defaultTime)) return null;
        return DateOnly.FromDateTime(local.DateTime);
    }

    /// <summary>One digest per member per local day, whoever plans it.</summary>
    public static string DedupeKey(int memberId, DateOnly localDate) =>
        $"digest:{memberId}:{localDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>One weekly digest per member per local Monday, whoever plans it.</summary>
    public static string WeeklyDedupeKey(int memberId, DateOnly localMonday) =>
        $"weekly:{memberId}:{localMonday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}

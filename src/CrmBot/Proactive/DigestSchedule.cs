using System.Globalization;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Crm;
using CrmBot.Crm.Model;

namespace CrmBot.Proactive;

/// <summary>When a member's digest is due: workdays (Mon–Fri), at their time, in their own zone.</summary>
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
    public static DateOnly? DueDate(Member member, TimeOnly defaultTime, DateTimeOffset now)
    {
        if (!member.DigestEnabled) return null;
        var local = TimeZoneInfo.ConvertTime(now, MemberTime.Zone(member.TimeZone));
        if (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) return null;
        if (TimeOnly.FromDateTime(local.DateTime) < (member.DigestTime ?? defaultTime)) return null;
        return DateOnly.FromDateTime(local.DateTime);
    }

    /// <summary>One digest per member per local day, whoever plans it.</summary>
    public static string DedupeKey(int memberId, DateOnly localDate) =>
        $"digest:{memberId}:{localDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}

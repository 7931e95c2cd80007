namespace CrmBot.Crm.Services;

/// <summary>
/// Calendar days in a member's own time zone. "Today", "due Tuesday" and the digest hour are
/// all local questions; the store keeps UTC instants, so every conversion goes through here.
/// </summary>
public static class LocalDay
{
    /// <summary>The IANA zone, or UTC when the id is missing or unknown to this machine.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Utc;
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    public static bool IsKnownZone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    public static DateOnly Today(TimeProvider clock, TimeZoneInfo zone) =>
        DateOf(clock.GetUtcNow().UtcDateTime, zone);

    public static DateOnly DateOf(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));

    /// <summary>The UTC instant the local day begins (the first valid local time if midnight is skipped by DST).</summary>
    public static DateTime StartUtc(DateOnly date, TimeZoneInfo zone) => Utc(date, TimeOnly.MinValue, zone);

    /// <summary>The UTC instant of a local date and time; a time skipped by DST becomes the first valid one after it.</summary>
    public static DateTime Utc(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        // A few zones jump over midnight when DST starts; the day then begins at the first valid minute.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>The last second of the local day: what "due on that date" means.</summary>
    public static DateTime EndUtc(DateOnly date, TimeZoneInfo zone) => StartUtc(date.AddDays(1), zone).AddSeconds(-1);
}

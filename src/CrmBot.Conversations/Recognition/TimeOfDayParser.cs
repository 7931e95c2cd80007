using System.Globalization;
using System.Text.RegularExpressions;

namespace CrmBot.Conversations.Recognition;

/// <summary>A local time of day found inside a message, and where.</summary>
public sealed record TimeMatch(TimeOnly Time, int Index, int Length, string Text);

/// <summary>
/// Times of day as reps type them: "at 10am", "10:30 am", "3 p.m.", "at 14:30", "noon", "this morning",
/// "this afternoon", "this evening", "tonight". A bare number ("at 10") is no time: it is as often a count
/// or an address. A decimal-looking "14.30" needs am/pm. Parts of the day read as a nominal hour:
/// morning 09:00, afternoon 14:00, evening and tonight 18:00.
/// </summary>
public static class TimeOfDayParser
{
    /// <summary>The first time of day inside <paramref name="text"/>, or null.</summary>
    public static TimeMatch? Find(string? text) => FindAll(text) is [var first, ..] ? first : null;

    /// <summary>Every time of day inside <paramref name="text"/>, in order.</summary>
    public static IReadOnlyList<TimeMatch> FindAll(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var found = new List<TimeMatch>();
        foreach (Match m in TimeRegex.Matches(text))
        {
            if (Resolve(m.Groups) is { } time) found.Add(new TimeMatch(time, m.Index, m.Length, m.Value));
        }
        return found;
    }

    private static TimeOnly? Resolve(GroupCollection g)
    {
        if (g["part"].Success)
        {
            return g["part"].Value.ToLowerInvariant() switch
            {
                "morning" => new TimeOnly(9, 0),
                "afternoon" => new TimeOnly(14, 0),
                _ => new TimeOnly(18, 0),
            };
        }
        if (g["tonight"].Success) return new TimeOnly(18, 0);
        if (g["noon"].Success) return new TimeOnly(12, 0);
        var hour = int.Parse(g["h"].Value, CultureInfo.InvariantCulture);
        var minute = g["m"].Success ? int.Parse(g["m"].Value, CultureInfo.InvariantCulture) : 0;
        if (minute > 59) return null;
        if (g["ap"].Success)
        {
            if (hour is < 1 or > 12) return null;
            var pm = g["ap"].Value[0] is 'p' or 'P';
            return new TimeOnly(hour % 12 + (pm ? 12 : 0), minute);
        }
        return hour <= 23 ? new TimeOnly(hour, minute) : null;
    }

    // Interpreted like DateRegex: it is read once per message, where compiling would cost more than it saves.
    private static readonly Regex TimeRegex = new(
        @"(?<![\w:./$€£¥-])(?:(?:at|@|around|about)\s*)?(?:" +
        @"(?<h>\d{1,2})(?:[:.](?<m>\d{2}))?\s*(?<ap>a\.?m\.?|p\.?m\.?)(?!\w)" +
        @"|(?<h>\d{1,2}):(?<m>\d{2})(?![\w:.,]?\d)" +
        @"|(?<noon>noon|midday)" +
        @"|this\s+(?<part>morning|afternoon|evening)" +
        @"|(?<tonight>tonight)" +
        @")(?!\w)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

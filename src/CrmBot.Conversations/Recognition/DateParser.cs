using System.Globalization;
using System.Text.RegularExpressions;

namespace CrmBot.Conversations.Recognition;

/// <summary>A date found inside a message, and where (so the rest of the message can be read without it).</summary>
public sealed record DateMatch(DateOnly Date, int Index, int Length, string Text);

/// <summary>
/// Dates as reps type them, read against "today" in their own zone:
/// today, tomorrow/tmrw, day after tomorrow, yesterday, weekday names ("Tue", "this Fri", "next Tuesday"),
/// "in 3 days", "in 2 weeks", "in a month", "next week", "next month", "end of week"/EOW,
/// "end of month"/EOM, "Dec 3", "3 Dec", "December 3rd, 2027", "2026-12-03".
/// <list type="bullet">
/// <item>A bare weekday is the next one after today (1–7 days ahead); "this Fri" is this week's
/// Friday if it is still to come; "next Tue" is the Tuesday of next week (weeks start on Monday).</item>
/// <item>"next week" is next Monday; "end of week" is this Friday (today at the weekend).</item>
/// <item>A month and day without a year is this year's, unless that is more than 60 days ago, then
/// next year's ("Jan 5" typed in December). A recent past date stays in the past, so the caller can question it.</item>
/// </list>
/// </summary>
public static partial class DateParser
{
    /// <summary>The whole text is one date (an "on"/"by"/"due" in front and punctuation around are allowed).</summary>
    public static DateOnly? Parse(string? text, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var trimmed = text.Trim().Trim('.', ',', '!', '?', ';', ':').Trim();
        foreach (Match m in DateRegex.Matches(trimmed))
        {
            if (m.Index == 0 && m.Length == trimmed.Length) return Resolve(m, today);
        }
        return null;
    }

    /// <summary>The first date expression inside <paramref name="text"/>, or null.</summary>
    public static DateMatch? Find(string? text, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        foreach (Match m in DateRegex.Matches(text))
        {
            if (Resolve(m, today) is { } date) return new DateMatch(date, m.Index, m.Length, m.Value);
        }
        return null;
    }

    private static DateOnly? Resolve(Match m, DateOnly today)
    {
        var g = m.Groups;
        if (g["today"].Success) return today;
        if (g["tomorrow"].Success) return today.AddDays(1);
        if (g["dayafter"].Success) return today.AddDays(2);
        if (g["yesterday"].Success) return today.AddDays(-1);
        if (g["n"].Success)
        {
            var n = Number(g["n"].Value);
            var unit = g["unit"].Value.ToLowerInvariant();
            return unit[0] switch
            {
                'd' => today.AddDays(n),
                'w' => today.AddDays(7 * n),
                _ => today.AddMonths(n),
            };
        }
        if (g["nextweek"].Success) return MondayOf(today).AddDays(7);
        if (g["eow"].Success)
        {
            var friday = MondayOf(today).AddDays(4);
            return friday >= today ? friday : today;
        }
        if (g["eom"].Success) return new DateOnly(today.Year, today.Month, DateTime.DaysInMonth(today.Year, today.Month));
        if (g["nextmonth"].Success) return new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        if (g["wd"].Success)
        {
            var day = Weekday(g["wd"].Value);
            var rel = g["rel"].Value.ToLowerInvariant();
            if (rel is "next" or "nxt") return MondayOf(today).AddDays(7 + IsoIndex(day));
            if (rel == "this")
            {
                var inWeek = MondayOf(today).AddDays(IsoIndex(day));
                if (inWeek >= today) return inWeek;
            }
            var ahead = ((int)day - (int)today.DayOfWeek + 7) % 7;
            return today.AddDays(ahead == 0 ? 7 : ahead);
        }
        if (g["iso"].Success)
        {
            return DateOnly.TryParseExact(g["iso"].Value, ["yyyy-M-d", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso)
                ? iso : null;
        }
        var mon = g["mon"].Success ? g["mon"].Value : g["mon2"].Success ? g["mon2"].Value : null;
        if (mon is not null)
        {
            var month = Month(mon);
            var day = int.Parse(g["mon"].Success ? g["d"].Value : g["d2"].Value, CultureInfo.InvariantCulture);
            var yearGroup = g["mon"].Success ? g["y"] : g["y2"];
            if (yearGroup.Success)
            {
                var year = int.Parse(yearGroup.Value, CultureInfo.InvariantCulture);
                return day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
            }
            if (day > DateTime.DaysInMonth(today.Year, month) && !(month == 2 && day == 29)) return null;
            var candidate = SafeDate(today.Year, month, day);
            if (candidate is null || candidate.Value.DayNumber < today.DayNumber - 60) candidate = SafeDate(today.Year + 1, month, day);
            return candidate;
        }
        return null;
    }

    private static DateOnly? SafeDate(int year, int month, int day) =>
        day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;

    private static DateOnly MondayOf(DateOnly date) => date.AddDays(-IsoIndex(date.DayOfWeek));

    private static int IsoIndex(DayOfWeek day) => ((int)day + 6) % 7;

    private static int Number(string word) => word.ToLowerInvariant() switch
    {
        "a" or "an" or "one" => 1,
        "two" or "a couple of" or "couple of" => 2,
        "three" or "a few" => 3,
        "four" => 4, "five" => 5, "six" => 6, "seven" => 7, "eight" => 8, "nine" => 9, "ten" => 10,
        var digits => int.Parse(digits, CultureInfo.InvariantCulture),
    };

    private static DayOfWeek Weekday(string word) => word.ToLowerInvariant()[..2] switch
    {
        "mo" => DayOfWeek.Monday,
        "tu" => DayOfWeek.Tuesday,
        "we" => DayOfWeek.Wednesday,
        "th" => DayOfWeek.Thursday,
        "fr" => DayOfWeek.Friday,
        "sa" => DayOfWeek.Saturday,
        _ => DayOfWeek.Sunday,
    };

    private static int Month(string word) => word.ToLowerInvariant()[..3] switch
    {
        "jan" => 1, "feb" => 2, "mar" => 3, "apr" => 4, "may" => 5, "jun" => 6,
        "jul" => 7, "aug" => 8, "sep" => 9, "oct" => 10, "nov" => 11, _ => 12,
    };

    private const string MonthNames =
        @"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

    // Interpreted, not [GeneratedRegex]: generated, this pattern is one 20 KB-of-IL method, and when the tiered
    // JIT recompiled it under load the service's memory rose by 20-40 MB (bench/README.md, finding 22). The
    // interpreter takes about 3 µs more per message.
    private static readonly Regex DateRegex = new(
        @"(?<![\w-])(?:(?:on|by|due|before|until|till|til|for)\s+)?(?:" +
        @"(?<dayafter>(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw))" +
        @"|(?<today>today|tonight|this\s+evening|end\s+of\s+(?:the\s+)?day|eod)" +
        @"|(?<tomorrow>tomorrow|tmrw|tmr|tmw|tomorow|tommorow|tommorrow)" +
        @"|(?<yesterday>yesterday)" +
        @"|in\s+(?<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|couple\s+of|a\s+few)\s+(?<unit>days?|weeks?|wks?|months?|mos?)" +
        @"|(?<nextweek>next\s+week|nxt\s+week)" +
        @"|(?<eow>end\s+of\s+(?:the\s+)?week|eow|this\s+week)" +
        @"|(?<eom>end\s+of\s+(?:the\s+)?month|eom)" +
        @"|(?<nextmonth>next\s+month)" +
        @"|(?:(?<rel>this|next|coming|nxt)\s+)?(?<wd>monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)" +
        @"|(?<iso>\d{4}-\d{1,2}-\d{1,2})" +
        @"|(?<mon>" + MonthNames + @")\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?<y>\d{4}))?" +
        @"|(?<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<mon2>" + MonthNames + @")\.?(?:,?\s+(?<y2>\d{4}))?" +
        @")(?![\w-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

using System.Globalization;
using System.Text.RegularExpressions;
using CrmBot.Crm.Model;

namespace CrmBot.Conversations.Recognition;

/// <summary>A date found inside a message, and where (so the rest of the message can be read without it).</summary>
public sealed record DateMatch(DateOnly Date, int Index, int Length, string Text);

/// <summary>
/// When something already happened, found inside a message: the day, the local time of day when one was
/// given next to it ("yesterday at 10am", "this morning"), and where both are, so the rest can be read without them.
/// </summary>
public sealed record PastMatch(DateOnly Date, TimeOnly? Time, int Index, int Length, string Text);

/// <summary>
/// Dates as reps type them, read against "today" in their own zone:
/// today, tomorrow/tmrw, day after tomorrow, yesterday, day before yesterday, "3 days ago", weekday names
/// ("Tue", "this Fri", "next Tuesday", "last Monday"), "in 3 days", "in 2 weeks", "in a month", "next week",
/// "next month", "end of week"/EOW, "end of month"/EOM, "Dec 3", "3 Dec", "December 3rd, 2027", "2026-12-03",
/// numeric dates ("1/5", "1/5/27", "24.12.", "24.12.2026") and days of the month ("on the 3rd",
/// "the 3rd of next month").
/// <list type="bullet">
/// <item>A bare weekday is the next one after today (1–7 days ahead); "this Fri" is this week's
/// Friday if it is still to come; "next Tue" is the Tuesday of next week (weeks start on Monday);
/// "last Mon" is the most recent Monday before today.</item>
/// <item>"next week" is next Monday; "next month" is the 1st of next month; "end of week" is this Friday
/// (today at the weekend).</item>
/// <item>Every date without a year ("Dec 3", "1/5", "24.12.") is this year's, unless that is more than 60 days
/// ago, then next year's ("Jan 5" typed in December). A recent past date stays in the past, so the caller
/// can question it.</item>
/// <item>"1/5" reads in the member's <see cref="DateOrder"/> (month-first while it is not known) unless only one
/// reading is a date ("13/5"); dotted dates ("24.12.") are always day-first. Without a year, a dotted date
/// needs two-digit day and month or an "on" in front, so a decimal such as "up 1.5." is no date.</item>
/// <item>"the 3rd" is the next 3rd on or after today. Inside a longer message it needs a preposition
/// ("on the 3rd", "by the 3rd") or "of next/this month", so "the 3rd call" is no date.</item>
/// </list>
/// <see cref="FindPast"/> reads the same phrases for something that already happened (see there).
/// </summary>
public static class DateParser
{
    private enum Reading { Future, Past }

    /// <summary>The whole text is one date (an "on"/"by"/"due" in front and punctuation around are allowed).</summary>
    /// <param name="order">How the member writes "1/5"; null (not known yet) reads month-first.</param>
    public static DateOnly? Parse(string? text, DateOnly today, DateOrder? order = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var trimmed = text.Trim().Trim(',', '!', '?', ';', ':').Trim().TrimStart('.').Trim();
        // A trailing dot is punctuation, except the one that ends a dotted date ("24.12."); typed alone, as an
        // answer, "24.12" is that date too (inside a message it could be a price, so Find wants the dot).
        var bare = trimmed.TrimEnd('.').Trim();
        foreach (var candidate in new[] { trimmed, bare, bare + "." })
        {
            foreach (Match m in DateRegex.Matches(candidate))
            {
                if (m.Index == 0 && m.Length == candidate.Length
                    && Resolve(m, today, order ?? DateOrder.MonthFirst, Reading.Future) is { } date) return date;
            }
        }
        return null;
    }

    /// <summary>The first date expression inside <paramref name="text"/>, or null; a follow-up reading (see the class).</summary>
    /// <param name="order">How the member writes "1/5"; null (not known yet) reads month-first.</param>
    public static DateMatch? Find(string? text, DateOnly today, DateOrder? order = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        foreach (Match m in DateRegex.Matches(text))
        {
            if (NeedsContext(m)) continue;
            if (Resolve(m, today, order ?? DateOrder.MonthFirst, Reading.Future) is { } date)
                return new DateMatch(date, m.Index, m.Length, m.Value);
        }
        return null;
    }

    /// <summary>
    /// Whether the first date in <paramref name="text"/> is a different day month-first than day-first, so
    /// the member's <see cref="DateOrder"/> decided it: "1/5" yes; "5/5", "13/5", "24.12.", "Dec 3" no.
    /// A caller that does not know the member's order yet confirms such a date once.
    /// </summary>
    public static bool IsAmbiguous(string? text, DateOnly today) =>
        Find(text, today, DateOrder.MonthFirst) is { } monthFirst
        && Find(text, today, DateOrder.DayFirst) is { } dayFirst
        && monthFirst.Date != dayFirst.Date;

    /// <summary>
    /// When an activity happened, inside a message ("called Jane yesterday at 10am", "met Bob on Monday",
    /// "demo this morning"), or null. Read for the past: a weekday is the most recent one before today,
    /// "the 3rd" the most recent 3rd, a date without a year the most recent one (a date up to 60 days
    /// ahead is taken for a follow-up and skipped). Future-only phrases (tomorrow, next week, "by Friday")
    /// are skipped. A time of day right next to the date comes with it; a time alone ("at 2pm") is today's.
    /// Morning, afternoon and evening read as 09:00, 14:00 and 18:00.
    /// </summary>
    public static PastMatch? FindPast(string? text, DateOnly today, DateOrder? order = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var times = TimeOfDayParser.FindAll(text);
        foreach (Match m in DateRegex.Matches(text))
        {
            if (NeedsContext(m)) continue;
            if (Resolve(m, today, order ?? DateOrder.MonthFirst, Reading.Past) is not { } date) continue;
            int start = m.Index, end = m.Index + m.Length;
            TimeOnly? time = null;
            foreach (var t in times)
            {
                if (!Touches(text, start, end, t.Index, t.Index + t.Length)) continue;
                time = t.Time;
                start = Math.Min(start, t.Index);
                end = Math.Max(end, t.Index + t.Length);
                break;
            }
            return new PastMatch(date, time, start, end - start, text[start..end]);
        }
        return times.Count > 0 ? new PastMatch(today, times[0].Time, times[0].Index, times[0].Length, times[0].Text) : null;
    }

    // Overlapping, or apart by nothing but spaces and commas ("Monday, 10am").
    private static bool Touches(string text, int start, int end, int otherStart, int otherEnd)
    {
        if (otherStart < end && start < otherEnd) return true;
        var (from, to) = otherStart >= end ? (end, otherStart) : (otherEnd, start);
        for (var i = from; i < to; i++)
        {
            if (!char.IsWhiteSpace(text[i]) && text[i] != ',') return false;
        }
        return true;
    }

    // Inside a longer message a bare "the 3rd" is more often a count ("the 3rd call") than a date.
    private static bool NeedsContext(Match m) =>
        m.Groups["ord"].Success && !m.Groups["prep"].Success && !m.Groups["ordrel"].Success;

    private static DateOnly? Resolve(Match m, DateOnly today, DateOrder order, Reading reading)
    {
        var g = m.Groups;
        var past = reading == Reading.Past;
        // "by Friday", "due the 3rd": a deadline, never when something happened.
        if (past && g["prep"].Success && !g["prep"].Value.Equals("on", StringComparison.OrdinalIgnoreCase)) return null;
        if (g["today"].Success) return today;
        if (g["yesterday"].Success) return today.AddDays(-1);
        if (g["daybefore"].Success) return today.AddDays(-2);
        if (g["agon"].Success) return today.AddDays(-Number(g["agon"].Value) * (g["agounit"].Value[0] is 'w' or 'W' ? 7 : 1));
        if (g["tomorrow"].Success) return past ? null : today.AddDays(1);
        if (g["dayafter"].Success) return past ? null : today.AddDays(2);
        if (g["n"].Success)
        {
            if (past) return null;
            var n = Number(g["n"].Value);
            var unit = g["unit"].Value.ToLowerInvariant();
            return unit[0] switch
            {
                'd' => today.AddDays(n),
                'w' => today.AddDays(7 * n),
                _ => today.AddMonths(n),
            };
        }
        if (g["nextweek"].Success) return past ? null : MondayOf(today).AddDays(7);
        if (g["eow"].Success)
        {
            if (past) return null;
            var friday = MondayOf(today).AddDays(4);
            return friday >= today ? friday : today;
        }
        if (g["eom"].Success) return past ? null : new DateOnly(today.Year, today.Month, DateTime.DaysInMonth(today.Year, today.Month));
        if (g["nextmonth"].Success) return past ? null : new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        if (g["wd"].Success) return ResolveWeekday(Weekday(g["wd"].Value), g["rel"].Value.ToLowerInvariant(), today, reading);
        if (g["iso"].Success)
        {
            return DateOnly.TryParseExact(g["iso"].Value, ["yyyy-M-d", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso)
                ? NotAfterToday(iso, today, reading) : null;
        }
        var mon = g["mon"].Success ? g["mon"].Value : g["mon2"].Success ? g["mon2"].Value : null;
        if (mon is not null)
        {
            var day = int.Parse(g["mon"].Success ? g["d"].Value : g["d2"].Value, CultureInfo.InvariantCulture);
            var yearGroup = g["mon"].Success ? g["y"] : g["y2"];
            return WithYear(Month(mon), day, yearGroup.Success ? yearGroup.Value : null, today, reading);
        }
        if (g["sa"].Success)
        {
            int a = int.Parse(g["sa"].Value, CultureInfo.InvariantCulture), b = int.Parse(g["sb"].Value, CultureInfo.InvariantCulture);
            // "24/7" is round the clock, not 24 July.
            if (a == 24 && b == 7 && !g["sy"].Success) return null;
            var dayFirst = a > 12 || (b <= 12 && order == DateOrder.DayFirst);
            return dayFirst
                ? WithYear(b, a, g["sy"].Success ? g["sy"].Value : null, today, reading)
                : WithYear(a, b, g["sy"].Success ? g["sy"].Value : null, today, reading);
        }
        if (g["da"].Success)
        {
            var hasYear = g["dy"].Success;
            if (!hasYear && !g["prep"].Value.Equals("on", StringComparison.OrdinalIgnoreCase)
                && (g["da"].Value.Length < 2 || g["db"].Value.Length < 2)) return null;
            return WithYear(int.Parse(g["db"].Value, CultureInfo.InvariantCulture), int.Parse(g["da"].Value, CultureInfo.InvariantCulture),
                hasYear ? g["dy"].Value : null, today, reading);
        }
        if (g["ord"].Success) return ResolveDayOfMonth(int.Parse(g["ord"].Value, CultureInfo.InvariantCulture), g["ordrel"].Value.ToLowerInvariant(), today, reading);
        return null;
    }

    private static DateOnly? ResolveWeekday(DayOfWeek day, string rel, DateOnly today, Reading reading)
    {
        var thisWeek = MondayOf(today).AddDays(IsoIndex(day));
        var back = ((int)today.DayOfWeek - (int)day + 7) % 7;
        var mostRecent = today.AddDays(back == 0 ? -7 : -back);
        if (rel == "last") return mostRecent;
        if (reading == Reading.Past)
        {
            return rel switch
            {
                "next" or "nxt" or "coming" => null,
                "this" => thisWeek <= today ? thisWeek : null,
                _ => mostRecent,
            };
        }
        if (rel is "next" or "nxt") return MondayOf(today).AddDays(7 + IsoIndex(day));
        if (rel == "this" && thisWeek >= today) return thisWeek;
        var ahead = ((int)day - (int)today.DayOfWeek + 7) % 7;
        return today.AddDays(ahead == 0 ? 7 : ahead);
    }

    // "the 3rd": the next 3rd on or after today (the most recent on or before it, for the past), skipping
    // months that have no such day ("the 31st" in April is 31 May).
    private static DateOnly? ResolveDayOfMonth(int day, string rel, DateOnly today, Reading reading)
    {
        if (day is < 1 or > 31) return null;
        var first = new DateOnly(today.Year, today.Month, 1);
        if (rel is "this" or "next")
        {
            var month = rel == "next" ? first.AddMonths(1) : first;
            if (rel == "next" && reading == Reading.Past) return null;
            return SafeDate(month.Year, month.Month, day) is { } d ? NotAfterToday(d, today, reading) : null;
        }
        var step = reading == Reading.Past ? -1 : 1;
        for (var i = 0; i < 12; i++)
        {
            var month = first.AddMonths(i * step);
            if (SafeDate(month.Year, month.Month, day) is not { } d) continue;
            if (reading == Reading.Past ? d <= today : d >= today) return d;
        }
        return null;
    }

    private static DateOnly? WithYear(int month, int day, string? yearText, DateOnly today, Reading reading)
    {
        if (month is < 1 or > 12 || day < 1) return null;
        if (yearText is not null)
        {
            var year = int.Parse(yearText, CultureInfo.InvariantCulture);
            if (yearText.Length == 2) year += 2000;
            return SafeDate(year, month, day) is { } dated ? NotAfterToday(dated, today, reading) : null;
        }
        // 2000 is a leap year: Feb 29 is a day, Feb 30 never is.
        if (day > DateTime.DaysInMonth(2000, month)) return null;
        var thisYear = SafeDate(today.Year, month, day);
        if (reading == Reading.Future)
        {
            return thisYear is null || thisYear.Value.DayNumber < today.DayNumber - 60 ? SafeDate(today.Year + 1, month, day) : thisYear;
        }
        if (thisYear is { } d && d <= today) return d;
        // Just ahead: a follow-up date in the same message, not when it happened.
        if (thisYear is { } soon && soon.DayNumber <= today.DayNumber + 60) return null;
        return SafeDate(today.Year - 1, month, day);
    }

    private static DateOnly? NotAfterToday(DateOnly date, DateOnly today, Reading reading) =>
        reading == Reading.Past && date > today ? null : date;

    private static DateOnly? SafeDate(int year, int month, int day) =>
        year is >= 1 and <= 9999 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;

    private static DateOnly MondayOf(DateOnly date) => date.AddDays(-IsoIndex(date.DayOfWeek));

    private static int IsoIndex(DayOfWeek day) => ((int)day + 6) % 7;

    private static int Number(string word) => Regex.Replace(word.ToLowerInvariant(), @"\s+", " ") switch
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

    private const string Count = @"an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|couple\s+of|a\s+few";

    // A number followed by what it counts is a quantity, not a day: "Jan 3 seats" (Jan is a name), "1/5 of the team".
    private const string NotACount =
        @"(?!\s*(?:%|of\b|out\s+of\b)|\s+(?:times|seats|licen[cs]es|users|people|units|days|weeks|months|years|hours|mins|minutes|calls|emails|deals|stars|points|pts)\b)";

    // What an ordinal counts, when it is not a day of the month: "on the 3rd floor", "the 2nd call".
    private const string NotAnOrdinalCount =
        @"(?!\s+(?:floor|quarter|time|call|meeting|round|attempt|try|place|party|option|item|line|week|day|month|year|person|visit|email|demo|one|contact|deal)s?\b)";

    // Interpreted, not [GeneratedRegex]: generated, this pattern is one very large method, and when the tiered
    // JIT recompiled it under load the service's memory rose markedly (docs/decisions/performance.md, finding 22). The
    // interpreter costs a little more per message.
    private static readonly Regex DateRegex = new(
        @"(?<![\w-])(?:(?<prep>on|by|due|before|until|till|til|for)\s+)?(?:" +
        @"(?<dayafter>(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw))" +
        @"|(?<daybefore>(?:the\s+)?day\s+before\s+yesterday)" +
        @"|(?<today>today|tonight|this\s+(?:evening|morning|afternoon)|end\s+of\s+(?:the\s+)?day|eod)" +
        @"|(?<tomorrow>tomorrow|tmrw|tmr|tmw|tomorow|tommorow|tommorrow)" +
        @"|(?<yesterday>yesterday)" +
        @"|(?<agon>\d{1,3}|" + Count + @")\s+(?<agounit>days?|weeks?|wks?)\s+ago" +
        @"|in\s+(?<n>\d{1,3}|" + Count + @")\s+(?<unit>days?|weeks?|wks?|months?|mos?)" +
        @"|(?<nextweek>next\s+week|nxt\s+week)" +
        @"|(?<eow>end\s+of\s+(?:the\s+)?week|eow|this\s+week)" +
        @"|(?<eom>end\s+of\s+(?:the\s+)?month|eom)" +
        @"|(?<nextmonth>next\s+month)" +
        // "sat down with", "sat in on": the verb, not Saturday.
        @"|(?:(?<rel>this|next|coming|nxt|last)\s+)?(?<wd>monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat(?!\s+(?:down|with|in|through|together|back|next)\b)|sunday|sun)" +
        @"|(?<iso>\d{4}-\d{1,2}-\d{1,2})" +
        @"|(?<mon>" + MonthNames + @")\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?<y>\d{4}))?" + NotACount +
        @"|(?:the\s+)?(?<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<mon2>" + MonthNames + @")\.?(?:,?\s+(?<y2>\d{4}))?" +
        @"|(?<![/.:$€£¥])(?<sa>\d{1,2})/(?<sb>\d{1,2})(?:/(?<sy>\d{4}|\d{2}))?(?![/.:]\d)" + NotACount +
        @"|(?<![/.:$€£¥])(?<da>\d{1,2})\.(?<db>\d{1,2})\.(?<dy>\d{4}|\d{2})?(?!\d)" + NotACount +
        @"|(?:the\s+)?(?<ord>\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?<ordrel>next|this)\s+month)?" + NotAnOrdinalCount +
        @")(?![\w-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

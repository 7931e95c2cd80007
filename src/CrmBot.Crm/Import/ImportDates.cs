using System.Globalization;
using System.Text.RegularExpressions;

namespace CrmBot.Crm.Import;

/// <summary>Which way to read an all-numeric date like 03/05/2023 when the file does not say.</summary>
public enum DateOrder { Unknown, DayFirst, MonthFirst }

/// <summary>The outcome for one date cell: a UTC instant, or why there is none.</summary>
public readonly record struct DateResult(DateTime? Utc, string? Problem);

/// <summary>
/// Created dates as exports write them.
/// <list type="bullet">
/// <item>ISO: 2023-03-05, 2023-03-05 14:02, 2024-11-30T14:02:00Z, …+01:00 (converted to UTC; a time
/// without a zone is taken as UTC).</item>
/// <item>Month names: 5 Mar 2023, 5 March 2023, 5-Mar-2023, Mar 5, 2023, March 5 2023.</item>
/// <item>Dotted: 30.11.2024 is day.month.year wherever dots are used.</item>
/// <item>Slashes or dashes with the year last (03/05/2023): if one part is above 12 it must be the
/// day, so 30/11/2024 and 11/30/2024 both read; if both parts are 12 or less and differ, the date is
/// ambiguous and flagged — unless the import is told the order (--date-order dmy|mdy).
/// Year-first with slashes (2023/03/05) is year/month/day.</item>
/// <item>Two-digit years and anything else are flagged as unreadable rather than guessed.</item>
/// </list>
/// </summary>
public static partial class ImportDates
{
    private static readonly string[] MonthNameFormats =
    [
        "d MMM yyyy", "d MMMM yyyy", "d-MMM-yyyy", "d-MMMM-yyyy", "MMM d, yyyy", "MMMM d, yyyy", "MMM d yyyy", "MMMM d yyyy",
        "d. MMM yyyy", "d. MMMM yyyy", "dd MMM yyyy", "ddd, d MMM yyyy", "ddd d MMM yyyy",
    ];

    public static DateResult Parse(string? raw, DateOrder order = DateOrder.Unknown)
    {
        if (string.IsNullOrWhiteSpace(raw)) return new(null, null);
        var text = raw.Trim();

        if (IsoLike().IsMatch(text))
        {
            var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var iso)
                ? new(iso.UtcDateTime, null)
                : Unreadable(text);
        }

        var numeric = Numeric().Match(text);
        if (numeric.Success)
        {
            var a = int.Parse(numeric.Groups["a"].Value, CultureInfo.InvariantCulture);
            var b = int.Parse(numeric.Groups["b"].Value, CultureInfo.InvariantCulture);
            var c = int.Parse(numeric.Groups["c"].Value, CultureInfo.InvariantCulture);
            var separator = numeric.Groups["sep"].Value;
            if (numeric.Groups["a"].Value.Length == 4) return Make(text, year: a, month: b, day: c);
            if (numeric.Groups["c"].Value.Length != 4) return Unreadable(text);
            if (separator == ".") return Make(text, year: c, month: b, day: a);
            if (a > 12 || order == DateOrder.DayFirst || a == b) return Make(text, year: c, month: b, day: a);
            if (b > 12 || order == DateOrder.MonthFirst) return Make(text, year: c, month: a, day: b);
            return new(null, $"date '{text}' is ambiguous (day/month or month/day?; use --date-order dmy|mdy)");
        }

        if (DateTime.TryParseExact(text, MonthNameFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var named))
            return new(DateTime.SpecifyKind(named, DateTimeKind.Utc), null);
        return Unreadable(text);
    }

    private static DateResult Make(string text, int year, int month, int day) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc), null)
            : Unreadable(text);

    private static DateResult Unreadable(string text) => new(null, $"date '{text}' is not a date we can read");

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoLike();

    [GeneratedRegex(@"^(?<a>\d{1,4})(?<sep>[./-])(?<b>\d{1,2})\k<sep>(?<c>\d{1,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex Numeric();
}

using System.Globalization;
using System.Text.RegularExpressions;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Import;
using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Features;

/// <summary>A contact as read from "add contact …"; Problem says what could not be read (then nothing is added).</summary>
public sealed record ContactText(string FirstName, string LastName, string? Email, string? Phone, string? PhoneExtension,
    string? Title, string? Company, string? Problem);

/// <summary>A deal as read from "new deal …"; Problem says what could not be read (then nothing is added).</summary>
public sealed record DealText(string Name, decimal Amount, string Currency, string? Contact, DateOnly? ExpectedClose, string? Problem);

/// <summary>
/// Reads the details of "add contact" and "new deal" messages. Pieces are found by their shape (an email, a phone
/// number, "at Company", an amount, "for Person", "closes …"), cut out, and what is left is the name: so their order
/// does not matter. Anything that looks like a piece but does not read as one is a problem to report, not a guess.
/// </summary>
public static partial class NewRecordText
{
    public const string ContactExample = "add contact Bob Smith, bob@acme.com, +1 206 555 0100 at Acme";
    public const string DealExample = "new deal Acme expansion 25k for Jane Doe, closes end of March";

    // Every ISO 4217 code .NET knows a region for: "25000 EUR", "25k chf".
    private static readonly HashSet<string> CurrencyCodes = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(c => { try { return new RegionInfo(c.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
        .OfType<string>().Where(code => code.Length == 3).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public static ContactText Contact(string? details, PhoneNormalizer phones)
    {
        var rest = details?.Trim() ?? "";
        string? email = null, phone = null, extension = null, company = null;

        var emailMatch = EmailLike().Match(rest);
        if (emailMatch.Success)
        {
            email = EmailAddresses.Normalize(emailMatch.Value);
            if (email is null) return Failed($"\"{emailMatch.Value}\" isn't an email address I can use.");
            rest = Cut(rest, emailMatch);
        }
        var phoneMatch = PhoneLike().Match(rest);
        if (phoneMatch.Success)
        {
            var read = phones.Normalize(phoneMatch.Value, region: null);
            if (read.E164 is null)
            {
                var hint = phoneMatch.Value.TrimStart().StartsWith('+') || phoneMatch.Value.TrimStart().StartsWith("00", StringComparison.Ordinal)
                    ? "Please check the number."
                    : "Please type it with its country code, e.g. +1 206 555 0100.";
                return Failed($"I couldn't read \"{phoneMatch.Value.Trim()}\" as a phone number. {hint}");
            }
            (phone, extension) = (read.E164, read.Extension);
            rest = Cut(rest, phoneMatch);
        }
        var companyMatch = AtCompany().Matches(rest).LastOrDefault();
        if (companyMatch is not null)
        {
            company = Tidy(companyMatch.Groups["company"].Value);
            rest = Cut(rest, companyMatch);
        }

        var parts = rest.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(Tidy).OfType<string>().ToList();
        if (parts.Count == 0) return Failed($"Who should I add? For example: {ContactExample}");
        if (parts.Count > 2) return Failed($"I couldn't tell what \"{parts[2]}\" is. Give the name, then any of: title, email, phone, \"at Company\".");
        var name = parts[0];
        if (name.Any(char.IsDigit) || name.Contains('@')) return Failed($"\"{name}\" doesn't look like a person's name.");
        var (first, last) = PersonNames.Split(name);
        first = PersonNames.Clean(first, startsFullName: true);
        last = PersonNames.Clean(last, startsFullName: first.Length == 0);
        return new ContactText(first, last, email, phone, extension, parts.Count > 1 ? parts[1] : null, company, null);

        ContactText Failed(string problem) => new("", "", null, null, null, null, null, problem);
    }

    public static DealText Deal(string? details, DateOnly today)
    {
        var rest = details?.Trim() ?? "";
        DateOnly? close = null;
        string? contact = null;

        var closes = CloseClause().Match(rest);
        if (closes.Success)
        {
            var when = closes.Groups["when"].Value.Trim();
            close = CloseDate(when, today);
            if (close is null) return Failed($"I couldn't read \"{when}\" as a close date. Try \"end of March\", \"Mar 31\" or \"2027-03-31\".");
            rest = Cut(rest, closes);
        }

        var amounts = Amount().Matches(rest).Where(m => m.Groups["num"].Success).ToList();
        // A currency sign, a "k" or a currency code marks the amount; else the last bare number ("2027" may be in the name).
        var amount = amounts.FirstOrDefault(m => m.Groups["sign"].Success || m.Groups["sign2"].Success || m.Groups["mult"].Success || IsCode(m.Groups["code"].Value))
            ?? amounts.LastOrDefault(m => !IsYear(m.Groups["num"].Value));
        if (amount is null) return Failed($"How much is it worth? For example: {DealExample}");
        var value = decimal.Parse(amount.Groups["num"].Value.Replace(",", ""), NumberStyles.Number, CultureInfo.InvariantCulture);
        value *= amount.Groups["mult"].Value.ToLowerInvariant() switch { "k" => 1_000m, "m" or "mm" => 1_000_000m, _ => 1m };
        var currency = IsCode(amount.Groups["code"].Value) ? amount.Groups["code"].Value.ToUpperInvariant()
            : (amount.Groups["sign"].Success ? amount.Groups["sign"].Value : amount.Groups["sign2"].Value) switch
            {
                "€" => "EUR", "£" => "GBP", "¥" => "JPY", _ => "USD",
            };
        // "25k for …": a trailing word that is not a currency code belongs to the rest.
        var cutLength = IsCode(amount.Groups["code"].Value) ? amount.Length : amount.Groups["code"].Index - amount.Index;
        if (!amount.Groups["code"].Success) cutLength = amount.Length;
        rest = (rest[..amount.Index] + " " + rest[(amount.Index + cutLength)..]).Trim();

        var forWho = ForContact().Match(rest);
        if (forWho.Success)
        {
            contact = Tidy(forWho.Groups["who"].Value);
            rest = Cut(rest, forWho);
        }
        var name = Tidy(string.Join(' ', rest.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
        if (name is null) return Failed($"What should the deal be called? For example: {DealExample}");
        return new DealText(name, value, currency, contact, close, null);

        DealText Failed(string problem) => new("", 0, "USD", null, null, problem);
    }

    /// <summary>
    /// A close date: "end of March" (that month's last day, the next one to come), "end of Q1", "end of quarter",
    /// "end of year", "March" or "March 2027"; otherwise any date <see cref="DateParser"/> reads.
    /// </summary>
    public static DateOnly? CloseDate(string text, DateOnly today)
    {
        var folded = TextFold.Fold(text);
        folded = EndOf().Replace(folded, "");
        var quarter = Quarter().Match(folded);
        if (quarter.Success)
        {
            var q = quarter.Groups["q"].Success ? int.Parse(quarter.Groups["q"].Value, CultureInfo.InvariantCulture) : (today.Month + 2) / 3;
            if (q is < 1 or > 4) return null;
            var year = quarter.Groups["y"].Success ? int.Parse(quarter.Groups["y"].Value, CultureInfo.InvariantCulture) : today.Year;
            var end = MonthEnd(year, q * 3);
            return end < today && !quarter.Groups["y"].Success ? MonthEnd(year + 1, q * 3) : end;
        }
        if (folded is "year" or "the year" or "eoy" or "this year") return new DateOnly(today.Year, 12, 31);
        var month = MonthOnly().Match(folded);
        if (month.Success)
        {
            var m = DateTime.ParseExact(month.Groups["m"].Value[..3], "MMM", CultureInfo.InvariantCulture).Month;
            if (month.Groups["y"].Success) return MonthEnd(int.Parse(month.Groups["y"].Value, CultureInfo.InvariantCulture), m);
            var end = MonthEnd(today.Year, m);
            return end < today ? MonthEnd(today.Year + 1, m) : end;
        }
        return DateParser.Parse(text, today);
    }

    private static DateOnly MonthEnd(int year, int month) => new(year, month, DateTime.DaysInMonth(year, month));

    private static bool IsCode(string text) => text.Length == 3 && CurrencyCodes.Contains(text);

    private static bool IsYear(string number) => number.Length == 4 && number[0] is '1' or '2';

    private static string Cut(string text, Match m) => (text[..m.Index] + ", " + text[(m.Index + m.Length)..]).Trim();

    private static string? Tidy(string text)
    {
        var t = WhiteSpace().Replace(text, " ").Trim().Trim(',', ';', ':', '.', '-', '—').Trim();
        return t.Length == 0 ? null : t;
    }

    [GeneratedRegex(@"[^\s,;<>()]+@[^\s,;<>()]*")]
    private static partial Regex EmailLike();
    [GeneratedRegex(@"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{5,}\d(?:\s*(?:ext\.?|x|#)\s*\d{1,6})?(?!\w)", RegexOptions.IgnoreCase)]
    private static partial Regex PhoneLike();
    [GeneratedRegex(@"(?:^|\s|,)(?:at|from|@)\s+(?<company>[^,;]+?)\s*(?=[,;]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex AtCompany();
    [GeneratedRegex(@"(?:^|[,;]|\s)\s*(?:closes|closing|close|to\s+close|expected\s+close|close\s+date)\s*(?:on|by|in|at|:)?\s+(?<when>[^,;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CloseClause();
    [GeneratedRegex(@"(?<![\w.,])(?:(?<sign>[$€£¥])\s?)?(?<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?(?<mult>k|mm|m)\b)?(?:\s?(?<sign2>[€$£])(?!\s?\d))?(?:\s(?<code>[A-Za-z]{3})\b)?", RegexOptions.IgnoreCase)]
    private static partial Regex Amount();
    [GeneratedRegex(@"(?:^|\s|,)(?:for|with)\s+(?<who>[^,;]+?)\s*(?=[,;]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ForContact();
    [GeneratedRegex(@"^(?:the\s+)?end\s+of\s+(?:the\s+)?")]
    private static partial Regex EndOf();
    [GeneratedRegex(@"^(?:q(?<q>[1-4])|quarter|the\s+quarter|this\s+quarter|eoq)(?:\s+(?<y>\d{4}))?$")]
    private static partial Regex Quarter();
    [GeneratedRegex(@"^(?<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\s+(?<y>\d{4}))?$")]
    private static partial Regex MonthOnly();
    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

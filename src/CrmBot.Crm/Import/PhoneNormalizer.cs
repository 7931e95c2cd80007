using PhoneNumbers;

namespace CrmBot.Crm.Import;

/// <summary>The outcome for one phone cell: an E.164 number (and extension), or why there is none.</summary>
public readonly record struct PhoneResult(string? E164, string? Extension, string? Problem)
{
    public static readonly PhoneResult Empty = new(null, null, null);
}

/// <summary>
/// Phone numbers to E.164 with libphonenumber (one <see cref="PhoneNumberUtil"/>, shared).
/// <list type="bullet">
/// <item>International forms need no region: "+49 30 1234567", "+44 (0)20 7946 0000" (the "(0)"
/// trunk digit is dropped) and "0049 30 1234567" (00 is the international prefix almost everywhere,
/// so it is read as "+"; a region's own prefix such as Australia's 0011 is understood when the
/// region is known).</item>
/// <item>A national number ("030 1234567", "(206) 555-0100", "1-646-555-0127") needs the row's
/// country or --default-region. Without one it is flagged, never guessed.</item>
/// <item>A number must be possible for its country (right length); we do not insist that its range
/// is allocated today, because numbering-plan metadata ages faster than the contacts it would reject.
/// A number dialable only inside its own area ("12345" in China, "555-0101" in the US) is not enough:
/// its area code is missing, so "+8612345" would be a number nobody can dial; it is flagged too.</item>
/// <item>An extension ("ext. 12", "x12", "#12") is kept apart, in <c>Contact.PhoneExtension</c>;
/// the number itself stays plain E.164 so it can be dialled and matched.</item>
/// </list>
/// </summary>
public sealed class PhoneNormalizer
{
    private readonly PhoneNumberUtil _util = PhoneNumberUtil.GetInstance();

    public PhoneResult Normalize(string? raw, string? region)
    {
        if (string.IsNullOrWhiteSpace(raw)) return PhoneResult.Empty;
        var text = raw.Trim();
        if (!text.Any(char.IsDigit)) return new(null, null, $"phone '{text}' has no digits");

        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            var international = TryParse("+" + text[2..], null, out _);
            if (international is not null) return international.Value;
        }
        if (text.StartsWith('+')) return Parse(text, null, "not a valid international number");
        if (region is null)
            return new(null, null, $"phone '{text}' is a national number and the row has no country (add a country column or --default-region)");
        return Parse(text, region, $"not a valid number for {region}");
    }

    private PhoneResult Parse(string text, string? region, string invalid) =>
        TryParse(text, region, out var why) ?? new(null, null, $"phone '{text}' is {invalid}{why}");

    private PhoneResult? TryParse(string text, string? region, out string? why)
    {
        why = null;
        try
        {
            var number = _util.Parse(text, region ?? "ZZ");
            var possible = _util.IsPossibleNumberWithReason(number);
            if (possible != PhoneNumberUtil.ValidationResult.IS_POSSIBLE)
            {
                why = Why(possible);
                return null;
            }
            var extension = string.IsNullOrEmpty(number.Extension) ? null : number.Extension;
            return new(_util.Format(number, PhoneNumberFormat.E164), extension, null);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>What the person fixing the flagged row should look for.</summary>
    private static string? Why(PhoneNumberUtil.ValidationResult result) => result switch
    {
        PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY => " (a local number: its area code is missing)",
        PhoneNumberUtil.ValidationResult.TOO_SHORT => " (too short)",
        PhoneNumberUtil.ValidationResult.TOO_LONG => " (too long)",
        PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => " (unknown country code)",
        _ => " (wrong length)",
    };
}

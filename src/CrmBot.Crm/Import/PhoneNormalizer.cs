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
/// is allocated today, because numbering-plan metadata ages faster than the contacts it would reject.</item>
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
            var international = TryParse("+" + text[2..], null);
            if (international is not null) return international.Value;
        }
        if (text.StartsWith('+')) return TryParse(text, null) ?? new(null, null, $"phone '{text}' is not a valid international number");
        if (region is null)
            return new(null, null, $"phone '{text}' is a national number and the row has no country (add a country column or --default-region)");
        return TryParse(text, region) ?? new(null, null, $"phone '{text}' is not a valid number for {region}");
    }

    private PhoneResult? TryParse(string text, string? region)
    {
        try
        {
            var number = _util.Parse(text, region ?? "ZZ");
            if (!_util.IsPossibleNumber(number)) return null;
            var extension = string.IsNullOrEmpty(number.Extension) ? null : number.Extension;
            return new(_util.Format(number, PhoneNumberFormat.E164), extension, null);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}

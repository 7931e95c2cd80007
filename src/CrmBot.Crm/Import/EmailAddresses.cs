using System.Text.RegularExpressions;

namespace CrmBot.Crm.Import;

/// <summary>
/// Email validation for imports: trimmed and lower-cased, spaces around the "@" dropped, then one
/// plain address (RFC 5322 dot-atom local part, a dotted domain with a letter TLD). "x @ y.com" is
/// repaired rather than flagged: no plain address has a space at all, so the one beside the "@" can
/// only be a typing slip and "x@y.com" is the address meant. Anything else — "n/a", "none", "jane@",
/// "jane doe@y.com", two addresses in one cell — is invalid: the row is flagged and the contact comes
/// in without an email rather than with a guess.
/// </summary>
public static partial class EmailAddresses
{
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        var email = raw.Trim().ToLowerInvariant();
        if (email.Contains('@') && email.Any(char.IsWhiteSpace)) email = SpacesAroundAt().Replace(email, "@");
        return email.Length <= 254 && Address().IsMatch(email) ? email : null;
    }

    [GeneratedRegex(@"\s*@\s*", RegexOptions.CultureInvariant)]
    private static partial Regex SpacesAroundAt();

    [GeneratedRegex(@"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}

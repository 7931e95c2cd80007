using System.Text;

namespace CrmBot.Crm.Import;

/// <summary>
/// Trimming and casing of people's names from exports.
/// <para>
/// Only a word typed entirely in capitals or entirely in lower case is re-cased ("ZOË" → "Zoë",
/// "kim" → "Kim"); a word in mixed case ("McDonald", "DeVito", "van") is kept as typed, because
/// someone chose that spelling. When re-casing: each part after a hyphen is capitalised
/// ("JEAN-PIERRE" → "Jean-Pierre"); after a one-letter prefix and an apostrophe too
/// ("O'BRIEN" → "O'Brien", "d'angelo" → "D'Angelo"); "Mc" is followed by a capital ("MCDONALD" →
/// "McDonald") but "Mac" is not, since Mack, Macy and Machado are common; name particles stay
/// lower case unless they start the full name ("VAN DER BERG" as a last name → "van der Berg").
/// </para>
/// </summary>
public static class PersonNames
{
    private static readonly HashSet<string> Particles =
        ["van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das", "la", "le", "ter", "ten", "zu", "y", "bin", "ibn"];

    /// <summary>Trims, collapses spaces and re-cases words typed in one case.</summary>
    /// <param name="startsFullName">True for the first name: a particle there is a name ("Van Morrison").</param>
    public static string Clean(string? name, bool startsFullName)
    {
        if (string.IsNullOrWhiteSpace(name)) return "";
        var words = name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder(name.Length);
        for (var i = 0; i < words.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(CleanWord(words[i], isFirstWord: startsFullName && i == 0));
        }
        return sb.ToString();
    }

    /// <summary>"Doe, Jane" → (Jane, Doe); "Ludwig van Beethoven" → (Ludwig, van Beethoven); "Cher" → (Cher, "").</summary>
    public static (string First, string Last) Split(string? fullName)
    {
        if (string.IsNullOrWhiteSpace(fullName)) return ("", "");
        var comma = fullName.IndexOf(',');
        if (comma >= 0 && fullName.IndexOf(',', comma + 1) < 0)
            return (fullName[(comma + 1)..].Trim(), fullName[..comma].Trim());
        var words = fullName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 1) return (words[0], "");
        // The last name is the final word plus the particles right before it.
        var lastStart = words.Length - 1;
        while (lastStart > 1 && Particles.Contains(words[lastStart - 1].ToLowerInvariant())) lastStart--;
        return (string.Join(' ', words[..lastStart]), string.Join(' ', words[lastStart..]));
    }

    private static string CleanWord(string word, bool isFirstWord)
    {
        var hasUpper = false;
        var hasLower = false;
        foreach (var ch in word)
        {
            if (char.IsUpper(ch)) hasUpper = true;
            else if (char.IsLower(ch)) hasLower = true;
        }
        if (hasUpper && hasLower) return word;

        var lower = word.ToLowerInvariant();
        if (!isFirstWord && Particles.Contains(lower)) return lower;

        var chars = lower.ToCharArray();
        var capitalizeNext = true;
        var partStart = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            if (capitalizeNext && char.IsLetter(chars[i]))
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
                capitalizeNext = false;
            }
            if (chars[i] == '-')
            {
                capitalizeNext = true;
                partStart = i + 1;
            }
            // O'Brien, D'Angelo: a single letter before the apostrophe is a prefix.
            else if (chars[i] is '\'' or '’' && i == partStart + 1) capitalizeNext = true;
        }
        if (chars.Length > 2 && chars[0] == 'M' && chars[1] == 'c' && char.IsLetter(chars[2]))
            chars[2] = char.ToUpperInvariant(chars[2]);
        return new string(chars);
    }
}

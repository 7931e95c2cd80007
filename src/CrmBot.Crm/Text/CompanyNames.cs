namespace CrmBot.Crm.Text;

/// <summary>
/// Company name keys: "ACME, Inc.", "Acme Inc" and "acme" are one company. The key is the folded
/// name without its trailing legal form(s) ("GmbH &amp; Co. KG", "Pty Ltd", "S.A.").
/// </summary>
public static class CompanyNames
{
    private static readonly HashSet<string> LegalForms =
    [
        "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "gmbh", "kg", "corp", "corporation", "co",
        "plc", "sa", "sas", "sarl", "ag", "bv", "nv", "srl", "spa", "pty", "pte", "oy", "ab",
    ];

    public static string Key(string? name) => TextFold.Fold(WithoutLegalForm(name));

    /// <summary>
    /// The name as written, minus trailing legal forms and the commas or ampersands that join them:
    /// "Pied Piper, Inc." → "Pied Piper", "Acme GmbH &amp; Co. KG" → "Acme". The first word always stays,
    /// so "Company" alone is still a name.
    /// </summary>
    public static string WithoutLegalForm(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "";
        var words = name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 1)
        {
            // Letters only, so "Inc.", "L.L.C." and "S.A." read as "inc", "llc" and "sa".
            var letters = new string(TextFold.Fold(words[^1]).Where(char.IsLetterOrDigit).ToArray());
            if (letters.Length == 0 || LegalForms.Contains(letters)) words.RemoveAt(words.Count - 1);
            else break;
        }
        return string.Join(' ', words).TrimEnd(',', '&', ' ', '-', ';');
    }
}

namespace CrmBot.Crm.Text;

/// <summary>
/// Company name keys: "ACME, Inc.", "Acme Inc" and "acme" are one company. The key is the folded
/// name without a trailing legal form.
/// </summary>
public static class CompanyNames
{
    private static readonly string[] LegalForms =
    [
        "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation", "co", "plc", "sa", "ag", "bv", "srl", "pty",
    ];

    public static string Key(string? name)
    {
        var words = TextFold.Fold(name).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 1 && LegalForms.Contains(words[^1])) words.RemoveAt(words.Count - 1);
        return string.Join(' ', words);
    }
}

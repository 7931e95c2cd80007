using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Recognition;

/// <summary>Typo tolerance for command words (not for names: those are matched by CrmSearch).</summary>
public static class Fuzzy
{
    /// <summary>
    /// Same word, allowing one edit (or one swap of neighbours) for words of 4+ letters and one swap
    /// only for 3-letter words ("lgo" is "log"; "dog" is not).
    /// </summary>
    public static bool SameWord(string typed, string word)
    {
        if (string.Equals(typed, word, StringComparison.Ordinal)) return true;
        if (word.Length < 3 || typed.Length < 3) return false;
        // Short words: two letters swapped ("lgo"), or one letter doubled ("logg").
        if (word.Length == 3) return typed.Length == 3 ? IsSwap(typed, word) : typed.Length == 4 && IsDoubled(typed, word);
        return Math.Abs(typed.Length - word.Length) <= 1 && EditDistance.Osa(typed, word) <= 1;
    }

    public static bool IsAny(string typed, params string[] words)
    {
        foreach (var w in words) if (SameWord(typed, w)) return true;
        return false;
    }

    private static bool IsDoubled(string typed, string word)
    {
        for (var i = 1; i < typed.Length; i++)
            if (typed[i] == typed[i - 1] && string.Concat(typed.AsSpan(0, i), typed.AsSpan(i + 1)) == word) return true;
        return false;
    }

    private static bool IsSwap(string a, string b)
    {
        for (var i = 0; i < a.Length - 1; i++)
            if (a[i] != b[i])
                return a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)..] == b[(i + 2)..];
        return false;
    }
}

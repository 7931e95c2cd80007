using CrmBot.Crm.Text;
namespace CrmBot.Crm.Services;

/// <summary>
/// How well a folded query fits a folded name, 0..1. Word by word, so "doe john" finds "John
/// Doe": an equal word counts 1, a word the query starts 0.9, a word within a small edit
/// distance ("jon" → "john") less. Names with fewer unmatched words rank higher, and the whole
/// name typed exactly scores 1.
/// </summary>
internal static class NameScore
{
    /// <summary>Below this a candidate only shares a few letters with the query and is not shown.</summary>
    public const double Threshold = 0.6;

    public static double Score(string query, string name)
    {
        if (query.Length == 0 || name.Length == 0) return 0;
        if (query == name) return 1;

        var queryWords = query.Split(' ');
        var nameWords = name.Split(' ');
        var matched = new bool[nameWords.Length];
        var total = 0.0;
        foreach (var q in queryWords)
        {
            var best = 0.0;
            var bestIndex = -1;
            for (var i = 0; i < nameWords.Length; i++)
            {
                var s = WordScore(q, nameWords[i]);
                // Prefer a word not yet used, so "jane jane" does not match "jane doe" twice over.
                if (matched[i]) s *= 0.5;
                if (s > best) (best, bestIndex) = (s, i);
            }
            if (bestIndex >= 0) matched[bestIndex] = true;
            total += best;
        }
        var byWords = total / queryWords.Length;
        var coverage = (double)matched.Count(m => m) / nameWords.Length;
        var score = byWords * (0.9 + 0.1 * coverage);

        // A missing or extra space ("johndoe", "mc donald") is one typo, not a different name.
        var joined = 0.85 * Similarity(query.Replace(" ", ""), name.Replace(" ", ""));
        return Math.Min(0.99, Math.Max(score, joined));
    }

    /// <summary>Every word of the query is a word of the name or the start of one ("jane" in "jane doe").</summary>
    public static bool HasEveryWord(string query, string name)
    {
        var nameWords = name.Split(' ');
        return query.Split(' ').All(q => nameWords.Any(w => w.StartsWith(q, StringComparison.Ordinal)));
    }

    private static double WordScore(string q, string word)
    {
        if (q == word) return 1;
        if (word.StartsWith(q, StringComparison.Ordinal)) return 0.9;
        var s = Similarity(q, word);
        return s >= 0.6 ? 0.85 * s : 0;
    }

    /// <summary>1 − (optimal string alignment distance / longer length).</summary>
    internal static double Similarity(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        return 1 - (double)EditDistance.Osa(a, b) / Math.Max(a.Length, b.Length);
    }
}

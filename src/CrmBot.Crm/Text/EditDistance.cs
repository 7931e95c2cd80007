namespace CrmBot.Crm.Text;

/// <summary>Typo distance, one implementation for name search and command-word recognition alike.</summary>
public static class EditDistance
{
    /// <summary>
    /// Optimal string alignment distance: edits (insert, delete, substitute, swap two neighbours)
    /// to turn <paramref name="a"/> into <paramref name="b"/>. Swaps count once because "jhon"
    /// is one slip of the fingers, not two.
    /// </summary>
    public static int Osa(string a, string b)
    {
        // Three rolling rows instead of the whole matrix, on the stack for name-length words: a typo
        // lookup runs this thousands of times, and need not allocate a matrix each time.
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        var width = b.Length + 1;
        Span<int> rows = width * 3 <= 512 ? stackalloc int[width * 3] : new int[width * 3];
        var twoBack = rows[..width];
        var previous = rows.Slice(width, width);
        var current = rows.Slice(2 * width, width);
        for (var j = 0; j < width; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    best = Math.Min(best, twoBack[j - 2] + 1);
                current[j] = best;
            }
            var recycled = twoBack;
            twoBack = previous;
            previous = current;
            current = recycled;
        }
        return previous[b.Length];
    }
}

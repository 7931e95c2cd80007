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
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}

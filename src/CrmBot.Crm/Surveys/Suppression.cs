namespace CrmBot.Crm.Surveys;

/// <summary>
/// Which counts of a breakdown may be shown. A group smaller than the minimum is hidden
/// (primary suppression); when a breakdown's total is shown and only one group is hidden, the total
/// minus the shown groups would give it back, so the next smallest group is hidden with it.
/// Empty groups (0) are no one's answer and stay visible, unless chosen as that companion.
/// </summary>
public static class Suppression
{
    /// <summary>
    /// Groups that partition a known total (a single choice, a rating's distribution).
    /// </summary>
    public static bool[] Partition(IReadOnlyList<int> counts, int minimum)
    {
        var hidden = new bool[counts.Count];
        for (var i = 0; i < counts.Count; i++)
            hidden[i] = IsSmall(counts[i], minimum);

        if (hidden.Count(h => h) == 1)
        {
            // The companion: the smallest shown group, non-empty first so the pair really hides something.
            var companion = Enumerable.Range(0, counts.Count).Where(i => !hidden[i])
                .OrderBy(i => counts[i] == 0 ? 1 : 0).ThenBy(i => counts[i]).ThenBy(i => i)
                .Cast<int?>().FirstOrDefault();
            if (companion is { } c)
                hidden[c] = true;
        }
        return hidden;
    }

    /// <summary>
    /// Options of a multiple choice: each option splits the respondents in two (chose it, did not),
    /// and both sides are known once the count of respondents is shown, so both must be large enough.
    /// </summary>
    public static bool[] EachOfTwoSides(IReadOnlyList<int> counts, int respondents, int minimum) =>
        counts.Select(c => IsSmall(c, minimum) || IsSmall(respondents - c, minimum)).ToArray();

    private static bool IsSmall(int count, int minimum) => count > 0 && count < minimum;
}

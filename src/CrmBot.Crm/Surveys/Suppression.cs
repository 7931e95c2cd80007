namespace CrmBot.Crm.Surveys;

/// <summary>
/// Which counts of a breakdown may be shown. A group smaller than the minimum is hidden (primary
/// suppression). The hidden groups together must hold at least the minimum too, or the total minus
/// the shown groups would be a small group of its own (one hidden group of 1 gives it back exactly),
/// so the smallest shown groups are hidden with them until they do. Nor may every hidden group be
/// at the largest a small group can be (two hidden groups holding 2(k−1) answers are each k−1).
/// Once anything is hidden, empty groups are hidden as well: a visible 0 tells which hidden groups
/// the rest must be in.
/// </summary>
public static class Suppression
{
    /// <summary>
    /// Groups that partition a known total (a single choice, a rating's distribution).
    /// </summary>
    public static bool[] Partition(IReadOnlyList<int> counts, int minimum)
    {
        var hidden = counts.Select(c => IsSmall(c, minimum)).ToArray();
        while (hidden.Any(h => h) && (HiddenTotal(counts, hidden) < minimum || AllAtTheCap(counts, hidden, minimum)))
        {
            // The companion: the smallest shown group that holds answers, so the hidden total grows.
            var companion = Enumerable.Range(0, counts.Count).Where(i => !hidden[i] && counts[i] > 0)
                .OrderBy(i => counts[i]).ThenBy(i => i).Cast<int?>().FirstOrDefault();
            if (companion is not { } c)
                break;
            hidden[c] = true;
        }
        return HideZerosToo(counts, hidden);
    }

    /// <summary>
    /// Options of a multiple choice: each option splits the respondents in two (chose it, did not),
    /// and both sides are known once the count of respondents is shown, so both must be large enough.
    /// </summary>
    public static bool[] EachOfTwoSides(IReadOnlyList<int> counts, int respondents, int minimum) =>
        HideZerosToo(counts, counts.Select(c => IsSmall(c, minimum) || IsSmall(respondents - c, minimum)).ToArray());

    private static bool[] HideZerosToo(IReadOnlyList<int> counts, bool[] hidden)
    {
        if (hidden.Any(h => h))
            for (var i = 0; i < counts.Count; i++)
                hidden[i] |= counts[i] == 0;
        return hidden;
    }

    private static bool AllAtTheCap(IReadOnlyList<int> counts, bool[] hidden, int minimum) =>
        Enumerable.Range(0, counts.Count).Where(i => hidden[i]).All(i => counts[i] == minimum - 1);

    private static int HiddenTotal(IReadOnlyList<int> counts, bool[] hidden) =>
        Enumerable.Range(0, counts.Count).Where(i => hidden[i]).Sum(i => counts[i]);

    private static bool IsSmall(int count, int minimum) => count > 0 && count < minimum;
}

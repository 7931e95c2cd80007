using System.Text.RegularExpressions;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Engine;

/// <summary>
/// A typed message, prepared once for every feature: the text as typed, the text with chat
/// abbreviations expanded ("f/u" → "follow up", "w/" → "with", "mtg" → "meeting", "tmrw" →
/// "tomorrow"), and its folded words (lower case, no accents, no punctuation).
/// </summary>
public sealed partial class Utterance
{
    public Utterance(string text, DateOnly today, Crm.Model.DateOrder? dateOrder = null)
    {
        Today = today;
        DateOrder = dateOrder;
        Text = text.Trim();
        Expanded = Expand(Text);
        Folded = TextFold.Fold(Expanded);
        Words = Folded.Length == 0 ? [] : Folded.Split(' ');
    }

    /// <summary>Today in the member's zone: what "tomorrow" or "Tue" in this message mean.</summary>
    public DateOnly Today { get; }

    /// <summary>How the member writes numeric dates ("1/5"); null while unknown (read month first, the first ambiguous one confirmed).</summary>
    public Crm.Model.DateOrder? DateOrder { get; }

    /// <summary>The built-in recognizer's reading, computed once per message for all built-in features.</summary>
    internal Recognition.Recognition? Recognized { get; set; }

    /// <summary>As typed (trimmed).</summary>
    public string Text { get; }

    /// <summary>Abbreviations expanded, case and punctuation kept: what entity extraction reads.</summary>
    public string Expanded { get; }

    /// <summary>Lower case, accents and punctuation removed, single spaces.</summary>
    public string Folded { get; }

    public IReadOnlyList<string> Words { get; }

    /// <summary>True when the folded words start with these words (each allowed one typo when 4+ letters long).</summary>
    public bool StartsWith(params string[] words)
    {
        if (words.Length > Words.Count) return false;
        for (var i = 0; i < words.Length; i++)
            if (!Fuzzy.SameWord(Words[i], words[i])) return false;
        return true;
    }

    /// <summary>The expanded text after the first <paramref name="wordCount"/> words (case kept).</summary>
    public string After(int wordCount)
    {
        var m = WordRegex().Matches(Expanded);
        if (wordCount >= m.Count) return "";
        return Expanded[m[wordCount].Index..].Trim();
    }

    public override string ToString() => Text;

    private static string Expand(string text)
    {
        var s = FollowUpAbbrev().Replace(text, "follow up");
        s = EmailWord().Replace(s, "email");
        s = WithAbbrev().Replace(s, "with ");
        s = MeetingAbbrev().Replace(s, "meeting");
        s = TomorrowAbbrev().Replace(s, "tomorrow");
        s = FollowUpWord().Replace(s, m => m.Groups[1].Success ? "follow ups" : "follow up");
        s = Spaces().Replace(s, " ");
        return s.Trim();
    }

    [GeneratedRegex(@"(?<![\w/])f/u(?![\w/])|(?<![\w/])fu(?=\s+(?:on|next|tomorrow|tmrw|in|by|this|with|w/))", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpAbbrev();
    [GeneratedRegex(@"(?<![\w/])w/(?!\w*/)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex WithAbbrev();
    [GeneratedRegex(@"\b(?:mtg|mtng|meetng|meting)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MeetingAbbrev();
    [GeneratedRegex(@"\b(?:tmrw|tmw|tmr|tmrow|tomorow|tommorow|tommorrow|tomorrw|2moro|2morrow)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TomorrowAbbrev();
    [GeneratedRegex(@"\bfollow[\s\-]*up(s)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpWord();
    [GeneratedRegex(@"\be-mail", RegexOptions.IgnoreCase)]
    private static partial Regex EmailWord();
    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();
    [GeneratedRegex(@"[\p{L}\p{N}'’/]+")]
    private static partial Regex WordRegex();
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Text in and out of Slack: its mrkdwn (not Markdown) on the way out, its escaping and link
/// syntax on the way in, and truncation that never breaks an escape or a surrogate pair.
/// </summary>
public static partial class SlackText
{
    public const string Ellipsis = "…";

    /// <summary>Slack's three control characters, escaped as its docs require.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>
    /// The Markdown-light our cards and text replies use (**bold**, _italic_, ~~strike~~, [label](url))
    /// as escaped mrkdwn.
    /// </summary>
    public static string ToMrkdwn(string markdown)
    {
        var s = Escape(markdown);
        s = MarkdownLink().Replace(s, m => $"<{m.Groups[2].Value}|{m.Groups[1].Value.Replace("|", "¦", StringComparison.Ordinal)}>");
        s = MarkdownBold().Replace(s, "*$1*");
        s = MarkdownStrike().Replace(s, "~$1~");
        return s;
    }

    /// <summary>Markdown-light as plain text (header blocks and button labels take no mrkdwn).</summary>
    public static string ToPlain(string markdown)
    {
        var s = MarkdownLink().Replace(markdown, "$1");
        s = MarkdownBold().Replace(s, "$1");
        return MarkdownStrike().Replace(s, "$1");
    }

    /// <summary>
    /// What a user typed, as plain text: Slack's links (&lt;url|label&gt;, &lt;mailto:a@b|a@b&gt;) become their
    /// label, user and channel references their readable part, and the escapes are undone.
    /// </summary>
    public static string FromSlack(string text)
    {
        var s = SlackReference().Replace(text, m =>
        {
            var target = m.Groups[1].Value;
            var label = m.Groups[2].Success ? m.Groups[2].Value : null;
            if (label is not null) return label;
            if (target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) return target["mailto:".Length..];
            return target;
        });
        return s.Replace("&lt;", "<", StringComparison.Ordinal)
                .Replace("&gt;", ">", StringComparison.Ordinal)
                .Replace("&amp;", "&", StringComparison.Ordinal);
    }

    /// <summary>Removes a mention of <paramref name="userId"/> (or, when unknown, a leading mention).</summary>
    public static string StripMention(string text, string? userId)
    {
        var s = userId is null
            ? LeadingMention().Replace(text, "", 1)
            : text.Replace($"<@{userId}>", " ", StringComparison.Ordinal);
        return WhiteSpace().Replace(s, " ").Trim();
    }

    /// <summary>
    /// At most <paramref name="max"/> characters, ending in an ellipsis when cut. Never ends inside an
    /// escape (&amp;amp;), an unfinished &lt;link&gt; or a surrogate pair.
    /// </summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max) return text;
        var cut = text[..Math.Max(0, max - Ellipsis.Length)];
        if (cut.Length > 0 && char.IsHighSurrogate(cut[^1])) cut = cut[..^1];
        var amp = cut.LastIndexOf('&');
        if (amp >= 0 && cut.IndexOf(';', amp) < 0 && cut.Length - amp <= 5) cut = cut[..amp];
        var open = cut.LastIndexOf('<');
        if (open >= 0 && cut.IndexOf('>', open) < 0) cut = cut[..open];
        return cut + Ellipsis;
    }

    /// <summary>The permalink Slack gives a message: https://{domain}.slack.com/archives/{channel}/p{ts without dot}.</summary>
    public static string? MessageLink(string? teamDomain, string? channel, string? ts)
    {
        if (string.IsNullOrEmpty(teamDomain) || string.IsNullOrEmpty(channel) || string.IsNullOrEmpty(ts)) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"https://{Uri.EscapeDataString(teamDomain)}.slack.com/archives/{Uri.EscapeDataString(channel)}/p{ts.Replace(".", "", StringComparison.Ordinal)}");
    }

    internal static string Join(IEnumerable<string> parts, string separator)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (string.IsNullOrWhiteSpace(p)) continue;
            if (sb.Length > 0) sb.Append(separator);
            sb.Append(p);
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"\[([^\]\n]+)\]\(((?:https?|mailto):[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"\*\*(.+?)\*\*", RegexOptions.Singleline)]
    private static partial Regex MarkdownBold();

    [GeneratedRegex(@"~~(.+?)~~", RegexOptions.Singleline)]
    private static partial Regex MarkdownStrike();

    [GeneratedRegex(@"<([^<>|]+)(?:\|([^<>]*))?>")]
    private static partial Regex SlackReference();

    [GeneratedRegex(@"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>")]
    private static partial Regex LeadingMention();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

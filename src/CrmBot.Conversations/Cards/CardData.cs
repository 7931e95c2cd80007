using System.Globalization;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Cards;

/// <summary>How CRM things read on cards: one place, so every card words them the same.</summary>
public static class CardData
{
    public static string Day(DateOnly date) => date.ToString("ddd d MMM", CultureInfo.InvariantCulture);

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Money(decimal amount, string currency) =>
        $"{amount.ToString("#,0.##", CultureInfo.InvariantCulture)} {currency}";

    public static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) => LocalDay.DateOf(utc, zone);

    public static string TypeName(ActivityType type) => type switch
    {
        ActivityType.Call => "Call",
        ActivityType.Meeting => "Meeting",
        ActivityType.Email => "Email",
        _ => "Note",
    };

    /// <summary>How many follow-ups one card shows; longer lists page, so a card stays under Teams' 28 KB.</summary>
    public const int FollowUpsPageSize = 10;

    /// <summary>One page of the follow-ups card: its rows, "Showing 11–20 of 40", and the "Show 10 more" button's data.</summary>
    public sealed record FollowUpsPageData(IReadOnlyList<object> Items, int Skip, string? Showing, object? More);

    public static FollowUpsPageData FollowUpsPage(IReadOnlyList<object> items, int skip)
    {
        // Past the end (items done since the page was shown): the last page.
        skip = Math.Clamp(skip, 0, Math.Max(0, (items.Count - 1) / FollowUpsPageSize * FollowUpsPageSize));
        var page = items.Skip(skip).Take(FollowUpsPageSize).ToList();
        var left = items.Count - skip - page.Count;
        return new(page, skip,
            items.Count > FollowUpsPageSize ? $"Showing {skip + 1}–{skip + page.Count} of {items.Count}" : null,
            left > 0 ? new { title = $"Show {Math.Min(left, FollowUpsPageSize)} more", skip = skip + page.Count } : null);
    }

    /// <summary>
    /// The follow-ups card's items, overdue first (marked), then due today, numbered as "done 2"
    /// reads them: the same list whether asked for in chat or pushed as the morning digest.
    /// </summary>
    public static IReadOnlyList<object> FollowUpItems(DueFollowUps due, TimeZoneInfo zone)
    {
        var number = 0;
        return due.Overdue.Select(f => FollowUpItem(f, ++number, overdue: true, zone))
            .Concat(due.DueToday.Select(f => FollowUpItem(f, ++number, overdue: false, zone))).ToList();
    }

    /// <summary>One row of the follow-ups card; <paramref name="number"/> is null where "done N" does not read the list.</summary>
    public static object FollowUpItem(FollowUp f, int? number, bool overdue, TimeZoneInfo zone) => new
    {
        id = f.Id,
        number,
        title = f.Title,
        contactId = f.ContactId,
        contact = f.Contact?.FullName,
        company = f.Contact?.Company?.Name,
        deal = f.Deal?.Name,
        due = Iso(LocalDate(f.DueAt, zone)),
        overdue,
    };

    /// <summary>A share as a percentage with at most one decimal ("62.5%"); "–" when there is nothing to share.</summary>
    public static string Percent(decimal? share) =>
        share is { } v ? (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "–";

    /// <summary>How many cells the longest bar of <see cref="TextBars"/> has: fits a phone-width code block.</summary>
    public const int TextBarWidth = 16;

    /// <summary>
    /// A chart as monospace lines, label, bar and value aligned: what a host that cannot draw a chart shows (the
    /// chart's fallback, Slack's code block, the terminal). Bars are scaled to the largest value; a value above zero
    /// always gets at least one cell, so it does not read as nothing.
    /// </summary>
    public static IReadOnlyList<string> TextBars(IReadOnlyList<(string Label, decimal Value, string Text)> rows)
    {
        if (rows.Count == 0) return [];
        var labelWidth = rows.Max(r => r.Label.Length);
        var textWidth = rows.Max(r => r.Text.Length);
        var max = rows.Max(r => r.Value);
        return rows.Select(r =>
        {
            var cells = max <= 0 || r.Value <= 0 ? 0 : Math.Max(1, (int)Math.Round(r.Value / max * TextBarWidth, MidpointRounding.AwayFromZero));
            return $"{r.Label.PadRight(labelWidth)} {new string('█', cells)}{new string('·', TextBarWidth - cells)} {r.Text.PadLeft(textWidth)}";
        }).ToList();
    }
}

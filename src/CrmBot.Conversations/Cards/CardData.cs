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

    /// <summary>
    /// The follow-ups card's items, overdue first (marked), then due today, numbered as "done 2"
    /// reads them: the same list whether asked for in chat or pushed as the morning digest.
    /// </summary>
    public static IReadOnlyList<object> FollowUpItems(DueFollowUps due, TimeZoneInfo zone)
    {
        var number = 0;
        object Item(FollowUp f, bool overdue) => new
        {
            id = f.Id,
            number = ++number,
            title = f.Title,
            contactId = f.ContactId,
            contact = f.Contact?.FullName,
            company = f.Contact?.Company?.Name,
            deal = f.Deal?.Name,
            due = Iso(LocalDate(f.DueAt, zone)),
            overdue,
        };
        return due.Overdue.Select(f => Item(f, true)).Concat(due.DueToday.Select(f => Item(f, false))).ToList();
    }
}

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
}

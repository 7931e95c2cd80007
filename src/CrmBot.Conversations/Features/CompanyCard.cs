using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

/// <summary>"who is acme": a company's contacts, open deals with amounts, last activities and next follow-ups.</summary>
public static class CompanyCard
{
    // As sure as a contact pick must be before it is taken without asking (Picking).
    private const double Strong = 0.9;

    /// <summary>
    /// The company a summary request names, when one fits strongly and no contact fits as well; null to
    /// leave the request to the contact flow (which asks "which contact?" or "did you mean").
    /// </summary>
    public static async Task<int?> FindAsync(CrmSearch search, string name, CancellationToken ct)
    {
        var companies = await search.FindCompaniesAsync(name, 2, ct);
        if (companies.Count == 0 || companies[0].Score < Strong) return null;
        // Two companies fitting as well: the contact flow's "did you mean" is the better answer.
        if (companies.Count > 1 && companies[1].Score >= companies[0].Score) return null;
        var contacts = await search.FindContactsAsync(name, 1, ct);
        return contacts.Count > 0 && contacts[0].Score >= companies[0].Score ? null : companies[0].Item.Id;
    }

    public static async Task ReplyAsync(TurnContext context, CrmSearch search, int companyId, CancellationToken ct)
    {
        var s = await search.CompanySummaryAsync(companyId, ct);
        if (s is null)
        {
            context.ReplyText("That company no longer exists.");
            return;
        }
        var totals = s.OpenDeals.GroupBy(d => d.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => CardData.Money(g.Sum(d => d.Amount), g.Key)).ToList();
        var activities = s.LastActivities.Select(a => new
        {
            type = CardData.TypeName(a.Type),
            date = CardData.Iso(CardData.LocalDate(a.OccurredAt, context.TimeZone)),
            contact = a.Contact?.FullName,
            notes = a.Notes,
            by = a.LoggedBy?.DisplayName,
        }).ToList();
        var followUps = s.NextFollowUps.Select(f => new
        {
            title = f.Title,
            due = CardData.Iso(CardData.LocalDate(f.DueAt, context.TimeZone)),
            about = f.Contact?.FullName ?? f.Deal?.Name,
        }).ToList();
        var fallback = $"{s.Company.Name}" +
            $"\nContacts ({s.ContactCount}): {(s.ContactCount == 0 ? "none yet" : string.Join(", ", s.Contacts.Select(c => c.FullName)) + (s.ContactCount > s.Contacts.Count ? ", …" : ""))}" +
            $"\nOpen deals: {(s.OpenDeals.Count == 0 ? "none" : string.Join(", ", s.OpenDeals.Select(d => $"{d.Name} ({d.Stage}, {CardData.Money(d.Amount, d.Currency)})")) + $"; total {string.Join(", ", totals)}")}" +
            $"\nLast activity: {(activities.Count == 0 ? "none" : $"{activities[0].type} with {activities[0].contact} on {activities[0].date}: {activities[0].notes}")}" +
            $"\nNext follow-ups: {(followUps.Count == 0 ? "none" : string.Join(", ", followUps.Select(f => $"{f.title} ({f.due})")))}";
        context.ReplyCard(CardNames.Company, new
        {
            companyId = s.Company.Id,
            name = s.Company.Name,
            domain = s.Company.Domain,
            contactCount = s.ContactCount,
            moreContacts = s.ContactCount - s.Contacts.Count,
            contacts = s.Contacts.Select(c => new { id = c.Id, name = c.FullName, title = c.Title }),
            deals = s.OpenDeals.Select(d => new { id = d.Id, name = d.Name, stage = d.Stage, amount = CardData.Money(d.Amount, d.Currency) }),
            totals,
            activities,
            followUps,
        }, fallback);
    }
}

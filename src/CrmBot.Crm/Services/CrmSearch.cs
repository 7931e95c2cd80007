using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

/// <summary>A search hit and how well it fits, 0..1 (1 = the whole name, exactly).</summary>
public sealed record Match<T>(T Item, double Score);

public sealed record ContactSummary(Contact Contact, Company? Company, IReadOnlyList<Deal> OpenDeals,
    IReadOnlyList<Activity> LastActivities, FollowUp? NextFollowUp);

/// <summary>
/// Finds contacts, companies and deals by name, ignoring case and accents and forgiving a typo,
/// best first. The FTS5 trigram indexes (<see cref="SearchIndex"/>) narrow 100,000 names to a
/// few hundred candidates that share trigrams with the query; <see cref="NameScore"/> ranks those.
/// </summary>
public sealed class CrmSearch(CrmDbContext db, IOptions<CrmOptions> options)
{
    // Enough candidates that the right one survives a typo among many similar names, few enough to score in memory.
    private const int Candidates = 200;

    public async Task<IReadOnlyList<Match<Contact>>> FindContactsAsync(string query, int limit, CancellationToken ct)
    {
        var key = TextFold.Fold(query);
        if (key.Length == 0 || limit <= 0) return [];
        var ids = await CandidateIdsAsync(SearchIndex.ContactTable, key, ct);
        if (key.Length < 3)
            ids = await db.Contacts.Where(c => string.Compare(c.SearchName, key) >= 0 && string.Compare(c.SearchName, key + "\uffff") < 0)
                .OrderBy(c => c.SearchName).Select(c => c.Id).Take(Candidates).ToListAsync(ct);
        var rows = await db.Contacts.Include(c => c.Company).Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        return Rank(rows, c => c.SearchName, c => c.Id, key, limit);
    }

    public async Task<IReadOnlyList<Match<Company>>> FindCompaniesAsync(string query, int limit, CancellationToken ct)
    {
        // Companies are keyed without their legal form, so "Acme Inc" looks for "acme".
        var key = CompanyNames.Key(query);
        if (key.Length == 0 || limit <= 0) return [];
        var ids = await CandidateIdsAsync(SearchIndex.CompanyTable, key, ct);
        if (key.Length < 3)
            ids = await db.Companies.Where(c => string.Compare(c.NormalizedName, key) >= 0 && string.Compare(c.NormalizedName, key + "\uffff") < 0)
                .OrderBy(c => c.NormalizedName).Select(c => c.Id).Take(Candidates).ToListAsync(ct);
        var rows = await db.Companies.Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        return Rank(rows, c => c.NormalizedName, c => c.Id, key, limit);
    }

    public async Task<IReadOnlyList<Match<Deal>>> FindDealsAsync(string query, int limit, CancellationToken ct)
    {
        var key = TextFold.Fold(query);
        if (key.Length == 0 || limit <= 0) return [];
        var ids = await CandidateIdsAsync(SearchIndex.DealTable, key, ct);
        if (key.Length < 3)
            ids = await db.Deals.Where(d => string.Compare(d.SearchName, key) >= 0 && string.Compare(d.SearchName, key + "\uffff") < 0)
                .OrderBy(d => d.SearchName).Select(d => d.Id).Take(Candidates).ToListAsync(ct);
        var rows = await db.Deals.Include(d => d.Company).Include(d => d.Contact).Where(d => ids.Contains(d.Id)).ToListAsync(ct);
        return Rank(rows, d => d.SearchName, d => d.Id, key, limit);
    }

    /// <summary>Contact, company, open deals (the contact's and its company's) in pipeline order, last 5 activities, next follow-up.</summary>
    public async Task<ContactSummary?> SummaryAsync(int contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.Include(c => c.Company).Include(c => c.Owner).FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return null;

        var pipeline = options.Value.Pipeline;
        var closed = pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        var companyId = contact.CompanyId;
        var deals = await db.Deals.Include(d => d.Owner)
            .Where(d => (d.ContactId == contactId || (companyId != null && d.CompanyId == companyId)) && !closed.Contains(d.Stage))
            .ToListAsync(ct);
        var order = pipeline.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var openDeals = deals.OrderBy(d => order.GetValueOrDefault(d.Stage, int.MaxValue)).ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase).ToList();

        var activities = await db.Activities.Include(a => a.LoggedBy).Include(a => a.Deal)
            .Where(a => a.ContactId == contactId)
            .OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Take(5).ToListAsync(ct);
        var next = await db.FollowUps.Include(f => f.Assignee).Include(f => f.Deal)
            .Where(f => f.ContactId == contactId && f.Status != FollowUpStatus.Done)
            .OrderBy(f => f.DueAt).ThenBy(f => f.Id)
            .FirstOrDefaultAsync(ct);
        return new ContactSummary(contact, contact.Company, openDeals, activities, next);
    }

    /// <summary>
    /// Rows sharing trigrams with the query, most similar first by FTS5's bm25. The trigram
    /// tokenizer needs at least three characters; shorter queries get nothing here.
    /// </summary>
    private async Task<List<int>> CandidateIdsAsync(string index, string key, CancellationToken ct)
    {
        if (key.Length < 3) return [];
        var trigrams = Enumerable.Range(0, key.Length - 2).Select(i => key.Substring(i, 3)).Distinct().ToList();
        // Folded text holds only letters, digits and single spaces, so quoting each trigram is enough.
        var match = string.Join(" OR ", trigrams.Select(t => $"\"{t}\""));
#pragma warning disable EF1002 // the table name is one of SearchIndex's constants; the query text is a parameter
        return await db.Database.SqlQueryRaw<int>(
            $"SELECT rowid AS Value FROM {index} WHERE {index} MATCH {{0}} ORDER BY rank LIMIT {Candidates}", match).ToListAsync(ct);
#pragma warning restore EF1002
    }

    private static List<Match<T>> Rank<T>(IEnumerable<T> rows, Func<T, string> key, Func<T, int> id, string query, int limit) =>
        rows.Select(r => (Row: r, Key: key(r), Score: NameScore.Score(query, key(r))))
            .Where(x => x.Score >= NameScore.Threshold)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Key.Length).ThenBy(x => x.Key, StringComparer.Ordinal).ThenBy(x => id(x.Row))
            .Take(limit)
            .Select(x => new Match<T>(x.Row, Math.Round(x.Score, 3)))
            .ToList();
}

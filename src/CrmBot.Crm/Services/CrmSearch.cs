using CrmBot.Crm.Diagnostics;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Services;

/// <summary>A search hit and how well it fits, 0..1 (1 = the whole name, exactly).</summary>
public sealed record Match<T>(T Item, double Score);

public sealed record ContactSummary(Contact Contact, Company? Company, IReadOnlyList<Deal> OpenDeals,
    IReadOnlyList<Activity> LastActivities, FollowUp? NextFollowUp);

/// <summary>A company at a glance: its contacts (the first few and how many), open deals, last activities, next follow-ups.</summary>
public sealed record CompanySummary(Company Company, IReadOnlyList<Contact> Contacts, int ContactCount, IReadOnlyList<Deal> OpenDeals,
    IReadOnlyList<Activity> LastActivities, IReadOnlyList<FollowUp> NextFollowUps);

/// <summary>
/// Finds contacts, companies and deals by name, ignoring case and accents and forgiving a typo,
/// best first. The engine's trigram indexes (SQLite's FTS5 tables, <see cref="SearchIndex"/>; PostgreSQL's
/// pg_trgm GIN indexes) narrow 100,000 names to a few hundred candidates like the query
/// (<see cref="SearchCandidates"/>); <see cref="NameScore"/> ranks those, the same on both engines.
/// </summary>
public sealed class CrmSearch(CrmDbContext db, IOptions<CrmOptions> options)
{
    // One word a letter or two off and the rest exact scores about this or more ("henrik vablerg" → 0.86).
    private const double CloseEnough = 0.8;
    // Names are short; a pasted paragraph would only make a huge MATCH expression.
    private const int MaxQueryLength = 64;

    /// <summary>Contacts named like <paramref name="query"/>, each with its company; not tracked unless the context tracked them already.</summary>
    public async Task<IReadOnlyList<Match<Contact>>> FindContactsAsync(string query, int limit, CancellationToken ct) =>
        await FindAsync(SearchIndex.Contacts, TextFold.Fold(query), limit, c => c.Id,
            key => ContactsAsync("\"SearchName\" = @p0 ORDER BY \"Id\" LIMIT @p1", [key, limit], ct),
            ids => ContactsAsync($"\"Id\" IN ({string.Join(", ", ids.Select((_, i) => "@p" + i))})", [.. ids.Cast<object?>()], ct).AsTask(), ct);

    // Companies are keyed without their legal form, so "Acme Inc" looks for "acme".
    public async Task<IReadOnlyList<Match<Company>>> FindCompaniesAsync(string query, int limit, CancellationToken ct) =>
        await FindAsync(SearchIndex.Companies, CompanyNames.Key(query), limit, c => c.Id,
            key => CompaniesNamed.For(db)(db, key, limit).ToListAsync(ct),
            ids => db.Companies.Where(c => ids.Contains(c.Id)).ToListAsync(ct), ct);

    public async Task<IReadOnlyList<Match<Deal>>> FindDealsAsync(string query, int limit, CancellationToken ct) =>
        await FindAsync(SearchIndex.Deals, TextFold.Fold(query), limit, d => d.Id,
            key => DealsNamed.For(db)(db, key, limit).ToListAsync(ct),
            ids => db.Deals.Include(d => d.Company).Include(d => d.Contact).Where(d => ids.Contains(d.Id)).ToListAsync(ct), ct);

    // The whole name as typed is the common case ("log call with Jane Doe"): one query on the B-tree
    // index of the folded column answers it in well under a millisecond, where the FTS5 MATCH below costs
    // milliseconds on 100,000 names (more the commoner the name's trigrams). Rows come in id order, the
    // order the ranking gives equal names. Most turns search contacts, so these are prepared reads, not EF
    // queries (RowReads), and come back untracked, each with its company.
    private async ValueTask<List<Contact>> ContactsAsync(string where, object?[] values, CancellationToken ct)
    {
        var contacts = await RowReads.WhereAsync<Contact>(db, where, values, ct);
        foreach (var contact in contacts) await LoadCompanyAsync(db, contact, ct);
        return contacts;
    }

    /// <summary>
    /// Fills in <paramref name="contact"/>'s company as an Include would: through EF when the context tracks the
    /// contact (so that the company is tracked too and a later SaveChanges sees nothing new), else with a prepared
    /// read, which the unit of work keeps for the next contact of the same company (RowReads).
    /// </summary>
    internal static async Task LoadCompanyAsync(CrmDbContext db, Contact contact, CancellationToken ct)
    {
        if (contact.Company is not null || contact.CompanyId is not { } companyId) return;
        if (ReferenceEquals(db.Contacts.Local.FindEntry(contact.Id)?.Entity, contact))
            await db.Entry(contact).Reference(c => c.Company).LoadAsync(ct);
        else
            contact.Company = await RowReads.FindAsync<Company>(db, companyId, ct);
    }

    private static readonly CompiledQuery<Func<CrmDbContext, string, int, IAsyncEnumerable<Company>>> CompaniesNamed =
        new(() => EF.CompileAsyncQuery((CrmDbContext db, string key, int limit) =>
            db.Companies.Where(c => c.NormalizedName == key).OrderBy(c => c.Id).Take(limit)));

    private static readonly CompiledQuery<Func<CrmDbContext, string, int, IAsyncEnumerable<Deal>>> DealsNamed =
        new(() => EF.CompileAsyncQuery((CrmDbContext db, string key, int limit) =>
            db.Deals.Include(d => d.Company).Include(d => d.Contact).Where(d => d.SearchName == key).OrderBy(d => d.Id).Take(limit)));

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
    /// A company's first 10 contacts by name, its open deals in pipeline order, the last 5 activities with any of
    /// its contacts, and the next 3 open follow-ups on its contacts or deals.
    /// </summary>
    public async Task<CompanySummary?> CompanySummaryAsync(int companyId, CancellationToken ct)
    {
        var company = await db.Companies.FirstOrDefaultAsync(c => c.Id == companyId, ct);
        if (company is null) return null;
        var contacts = await db.Contacts.Where(c => c.CompanyId == companyId)
            .OrderBy(c => c.FirstName).ThenBy(c => c.LastName).ThenBy(c => c.Id).Take(10).ToListAsync(ct);
        var contactCount = await db.Contacts.CountAsync(c => c.CompanyId == companyId, ct);

        var pipeline = options.Value.Pipeline;
        var closed = pipeline.Where(s => s.IsClosed).Select(s => s.Name).ToList();
        var deals = await db.Deals.Include(d => d.Contact).Include(d => d.Owner)
            .Where(d => d.CompanyId == companyId && !closed.Contains(d.Stage)).ToListAsync(ct);
        var order = pipeline.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var openDeals = deals.OrderBy(d => order.GetValueOrDefault(d.Stage, int.MaxValue)).ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase).ToList();

        var activities = await db.Activities.Include(a => a.Contact).Include(a => a.LoggedBy)
            .Where(a => a.Contact!.CompanyId == companyId)
            .OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Take(5).ToListAsync(ct);
        var followUps = await db.FollowUps.Include(f => f.Contact).Include(f => f.Deal)
            .Where(f => f.Status != FollowUpStatus.Done && (f.Contact!.CompanyId == companyId || f.Deal!.CompanyId == companyId))
            .OrderBy(f => f.DueAt).ThenBy(f => f.Id)
            .Take(3).ToListAsync(ct);
        return new CompanySummary(company, contacts, contactCount, openDeals, activities, followUps);
    }

    /// <summary>
    /// Rows named exactly <paramref name="key"/> are taken as meant (similar longer names, "Jane Doeson" beside
    /// "Jane Doe", are not offered with them). Otherwise scores candidate names (ids and keys only), then loads
    /// just the rows that made the cut.
    /// </summary>
    private async Task<IReadOnlyList<Match<T>>> FindAsync<T>(SearchIndex.Spec spec, string key, int limit, Func<T, int> id,
        Func<string, ValueTask<List<T>>> named, Func<List<int>, Task<List<T>>> load, CancellationToken ct)
    {
        if (key.Length > MaxQueryLength) key = key[..MaxQueryLength].TrimEnd();
        if (key.Length == 0 || limit <= 0) return [];
        using var _ = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Read, "search");

        var exact = await named(key);
        if (exact.Count > 0) return exact.Select(row => new Match<T>(row, 1.0)).ToList();

        var scores = new Dictionary<int, double>();
        var ranked = Rank(await CandidatesAsync(spec, key, limit, scores, ct), key, limit, scores);
        if (ranked.Count == 0) return [];
        var rows = (await load(ranked.Select(r => r.Id).ToList())).ToDictionary(id);
        return ranked.Where(r => rows.ContainsKey(r.Id)).Select(r => new Match<T>(rows[r.Id], r.Score)).ToList();
    }

    /// <summary>
    /// Names that could be meant (none is named exactly as asked), from the engine's indexes
    /// (<see cref="SearchCandidates"/>). First names containing every word of the query. When that finds too
    /// little — a typo — names with all words but one as typed; then ever more tolerant ones: every
    /// word a little like one of the name's, and last anything alike at all, best first.
    /// Trigram indexes need three characters; shorter queries use the B-tree index on
    /// the folded column as a prefix range.
    /// </summary>
    private async Task<List<NameRow>> CandidatesAsync(SearchIndex.Spec spec, string key, int limit, Dictionary<int, double> scores,
        CancellationToken ct)
    {
        if (key.Length < 3) return await PrefixAsync(spec, key, SearchCandidates.Ranked, ct);
        var engine = SearchCandidates.For(db);

        var words = key.Split(' ').Where(w => w.Length >= 3).Distinct().ToList();
        var found = new List<NameRow>();
        if (words.Count > 0)
        {
            found = await engine.ContainingAllAsync(db, spec, words, ranked: true, ct);
            if (Enough(found)) return found;
        }

        // The words to look for a little like the name's: a query of short words only is taken whole.
        List<string> near = words.Count > 0 ? words : [key];
        // The usual slip: one word mistyped, the others as typed. First only the names whose other word is
        // within one typo of it: a handful of names, not the thousand sharing the others. Short words count
        // too ("jo ngg"): a typo needs no trigrams.
        if (spec.Words is not null && key.Contains(' '))
        {
            found = [.. found, .. await engine.OneWordOffAsync(db, spec, key, ct)];
            found = found.DistinctBy(r => r.Id).ToList();
            if (found.Any(r => ScoreOf(key, r, scores) >= CloseEnough)) return found;
        }
        if (near.Count > 1)
        {
            // A bigger slip, or no one-typo lookup: every name holding the others as typed is scored.
            // The last word mistyped ("Henrik Vablerg"): names starting with the rest, a range of the B-tree
            // index (a common first name's thousand rows in about a millisecond; the FTS5 phrase took six).
            // An earlier word mistyped: names holding the other words, unranked.
            var lastSpace = key.LastIndexOf(' ');
            if (lastSpace > 0) found = [.. found, .. await PrefixAsync(spec, key[..(lastSpace + 1)], SearchCandidates.Unranked, ct)];
            for (var mistyped = 0; mistyped < words.Count - 1; mistyped++)
            {
                var others = words.Where((_, i) => i != mistyped);
                found = [.. found, .. await engine.ContainingAllAsync(db, spec, others, ranked: false, ct)];
            }
            found = found.DistinctBy(r => r.Id).ToList();
            if (Enough(found) || found.Any(r => ScoreOf(key, r, scores) >= CloseEnough)) return found;

            // Every word a little like one of the name's: a typo in one word, the others intact or close.
            found = [.. found, .. await engine.EveryWordNearAsync(db, spec, key, near, ct)];
            if (Enough(found)) return found.DistinctBy(r => r.Id).ToList();
        }
        var anyWord = await engine.AnyNearAsync(db, spec, key, near, ct);
        return found.Concat(anyWord).DistinctBy(r => r.Id).ToList();

        // A name with every typed word in it (or enough passable ones to fill the answer) ends the search.
        bool Enough(List<NameRow> rows) =>
            rows.Any(r => NameScore.HasEveryWord(key, r.Name)) || rows.Count(r => ScoreOf(key, r, scores) >= NameScore.Threshold) >= limit;
    }

#pragma warning disable EF1002 // identifiers come from SearchIndex's constants; values are parameters
    /// <summary>Names starting with <paramref name="prefix"/>: a range of the B-tree index on the folded column.</summary>
    private Task<List<NameRow>> PrefixAsync(SearchIndex.Spec spec, string prefix, int limit, CancellationToken ct) =>
        db.Database.SqlQueryRaw<NameRow>(
            $"SELECT \"Id\", \"{spec.Column}\" AS \"Name\" FROM \"{spec.Source}\" WHERE \"{spec.Column}\" >= {{0}} AND \"{spec.Column}\" < {{1}} ORDER BY \"{spec.Column}\" LIMIT {limit}",
            prefix, prefix + "\uffff").ToListAsync(ct);

#pragma warning restore EF1002

    // Each candidate is scored once per search, whether "enough?" or the ranking asks first.
    private static double ScoreOf(string query, NameRow row, Dictionary<int, double> scores)
    {
        if (!scores.TryGetValue(row.Id, out var score)) scores[row.Id] = score = NameScore.Score(query, row.Name);
        return score;
    }

    private static List<(int Id, double Score)> Rank(IEnumerable<NameRow> candidates, string query, int limit, Dictionary<int, double> scores) =>
        candidates.Select(c => (c.Id, c.Name, Score: ScoreOf(query, c, scores)))
            .Where(x => x.Score >= NameScore.Threshold)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Name.Length).ThenBy(x => x.Name, StringComparer.Ordinal).ThenBy(x => x.Id)
            .Take(limit)
            .Select(x => (x.Id, Math.Round(x.Score, 3)))
            .ToList();
}

using System.Diagnostics;
using System.Globalization;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace CrmBot.Crm.Import;

/// <summary>How to read one import.</summary>
public sealed record ContactImportOptions
{
    /// <summary>The file name, for the audit trail ("contacts.csv row 17").</summary>
    public required string SourceName { get; init; }
    /// <summary>Region for national phone numbers on rows without a country ("US", "DE").</summary>
    public string? DefaultRegion { get; init; }
    /// <summary>Header key (<see cref="HeaderMapping.HeaderKey"/>) → field, from --map.</summary>
    public IReadOnlyDictionary<string, ImportField> ColumnOverrides { get; init; } = new Dictionary<string, ImportField>();
    public DateOrder DateOrder { get; init; }
}

/// <summary>
/// Imports contacts from an export: cleanses each row, merges duplicates (within the file and
/// against the store), links companies and owners, and reports what it did.
/// <para>
/// Duplicates: a row is the same person as a contact when the normalised email is the same, or —
/// failing that — when the E.164 phone and the folded full name are the same and the emails do not
/// contradict each other (two different emails with one phone and name are flagged as a possible
/// duplicate and kept apart: merging would drop one address). A row with neither a usable email
/// nor a phone matches a contact that has neither either, by folded name and company key: that keeps
/// re-imports idempotent without merging a bare row into a richer contact that may be a namesake. A merge fills the fields the contact
/// lacks and never overwrites one it has (the store, then the earlier row, wins); the earliest created
/// date wins. So a second import of the same file finds nothing to add and writes nothing.
/// </para>
/// <para>
/// Owners: an owner cell matches a member by email, or else by display name when exactly one member
/// has it. Owners with no member are listed in the report and left empty; importing the file again
/// after those people have joined fills them in.
/// </para>
/// <para>
/// Writing: the plan is made in memory against a snapshot of the store; <see cref="ImportPlan.CommitAsync"/>
/// writes it in one SQLite transaction, begun before the snapshot is read, in batches of SaveChanges
/// with change detection off. A failure anywhere rolls back everything: never half an import.
/// </para>
/// </summary>
public sealed class ContactImporter(CrmDbContext db, PhoneNormalizer phones, TimeProvider time, ILogger<ContactImporter> logger)
{
    internal const int BatchSize = 5000;
    public const string ActorName = "import";
    public const string Channel = "import";

    /// <summary>Reads the store and plans the import. Nothing is written until <see cref="ImportPlan.CommitAsync"/>.</summary>
    /// <param name="forCommit">Take the write transaction now, so the snapshot cannot go stale before the commit.</param>
    public async Task<ImportPlan> PlanAsync(CsvTable table, ContactImportOptions options, bool forCommit, CancellationToken ct)
    {
        if (options.DefaultRegion is not null && !Countries.IsPhoneRegion(options.DefaultRegion))
            throw new ImportException($"--default-region '{options.DefaultRegion}' is not a region code libphonenumber knows (e.g. US, GB, DE).");
        var mapping = HeaderMapping.Create(table.Headers, options.ColumnOverrides);
        var cleaner = new ContactRowCleaner(mapping, phones, options.DefaultRegion?.Trim().ToUpperInvariant(), options.DateOrder);
        var watch = Stopwatch.StartNew();
        var rows = new CleanRow[table.Rows.Count];
        for (var i = 0; i < rows.Length; i++) rows[i] = cleaner.Clean(table.Rows[i]);

        IDbContextTransaction? transaction = null;
        try
        {
            if (forCommit) transaction = await db.Database.BeginTransactionAsync(ct);
            var snapshot = await StoreSnapshot.LoadAsync(db, ct);
            if (forCommit && snapshot.Missing) throw new ImportException("The store has not been created or migrated yet; run `migrate` first.");
            var plan = new ImportPlan(db, transaction, time, logger, options.SourceName, mapping, table.Headers.Count);
            transaction = null;
            try
            {
                plan.Build(rows, snapshot);
            }
            catch
            {
                await plan.DisposeAsync();
                throw;
            }
            var r = plan.Report;
            Log.Planned(logger, r.RowsRead, watch.ElapsedMilliseconds, r.ContactsCreated, r.RowsMerged, r.ContactsUpdated, r.RowsFlagged);
            return plan;
        }
        finally
        {
            if (transaction is not null) await transaction.DisposeAsync();
        }
    }
}

/// <summary>What is already in the store, held in dictionaries so 100,000 rows match in memory.</summary>
internal sealed class StoreSnapshot
{
    public List<Contact> Contacts { get; } = [];
    public Dictionary<string, Company> Companies { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> MembersByEmail { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int?> MembersByName { get; } = new(StringComparer.Ordinal);
    public bool Missing { get; private set; }

    public static async Task<StoreSnapshot> LoadAsync(CrmDbContext db, CancellationToken ct)
    {
        var snapshot = new StoreSnapshot();
        if (!await StoreExistsAsync(db, ct))
        {
            snapshot.Missing = true;
            return snapshot;
        }
        snapshot.Contacts.AddRange(await db.Contacts.AsNoTracking().ToListAsync(ct));
        foreach (var company in await db.Companies.AsNoTracking().ToListAsync(ct))
            snapshot.Companies.TryAdd(company.NormalizedName, company);
        foreach (var member in await db.Members.AsNoTracking().Select(m => new { m.Id, m.Email, m.DisplayName }).ToListAsync(ct))
        {
            if (!string.IsNullOrWhiteSpace(member.Email)) snapshot.MembersByEmail.TryAdd(member.Email.Trim().ToLowerInvariant(), member.Id);
            var name = TextFold.Fold(member.DisplayName);
            // A display name two members share identifies neither.
            if (name.Length > 0) snapshot.MembersByName[name] = snapshot.MembersByName.ContainsKey(name) ? null : member.Id;
        }
        return snapshot;
    }

    /// <summary>False for a dry run against a store that has not been created or migrated yet.</summary>
    private static async Task<bool> StoreExistsAsync(CrmDbContext db, CancellationToken ct)
    {
        try
        {
            return !(await db.Database.GetPendingMigrationsAsync(ct)).Any();
        }
        catch (Exception e) when (StoreErrors.IsMissingStore(e))
        {
            // A read-only dry run against a store that does not exist yet.
            return false;
        }
    }
}

/// <summary>A contact the import creates or changes, with the rows that went into it.</summary>
internal sealed class ContactDraft(Contact contact, bool isNew, int firstRow)
{
    public Contact Contact { get; } = contact;
    public bool IsNew { get; } = isNew;
    public int FirstRow { get; } = firstRow;
    public CompanyDraft? NewCompany { get; set; }
    /// <summary>The company key the contact is linked to, for matching rows that have neither email nor phone.</summary>
    public string? CompanyKey { get; set; }
    public List<(int Row, List<FieldChange> Changes)> Merges { get; } = [];
    public HashSet<string> ChangedProperties { get; } = [];
    public string Describe() => IsNew ? $"row {FirstRow}" : $"contact #{Contact.Id}";
}

internal sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>A company the import creates; its display name is chosen once every row has been seen.</summary>
internal sealed class CompanyDraft(string key, int order)
{
    public string Key { get; } = key;
    public int Order { get; } = order;
    public Dictionary<string, (int Count, int First)> Spellings { get; } = new(StringComparer.Ordinal);
    public Company? Entity { get; set; }

    public void Saw(string text, int row)
    {
        var name = CompanyNames.WithoutLegalForm(text);
        Spellings[name] = Spellings.TryGetValue(name, out var seen) ? (seen.Count + 1, seen.First) : (1, row);
    }

    /// <summary>
    /// The clean display name: the most common spelling without its legal form, preferring one in
    /// mixed case ("Acme" over "ACME"); if every spelling is in one case, it is title-cased except
    /// for short all-capital words, which are usually acronyms ("IBM").
    /// </summary>
    public string DisplayName()
    {
        static bool OneCase(string s) => s.Any(char.IsLetter) && (s == s.ToUpperInvariant() || s == s.ToLowerInvariant());
        var ordered = Spellings.OrderByDescending(s => s.Value.Count).ThenBy(s => s.Value.First).Select(s => s.Key).ToList();
        var mixed = ordered.FirstOrDefault(s => !OneCase(s));
        if (mixed is not null) return mixed;
        return string.Join(' ', ordered[0].Split(' ').Select(word =>
            word.Length <= 3 && word == word.ToUpperInvariant() ? word
            : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(word.ToLowerInvariant())));
    }
}

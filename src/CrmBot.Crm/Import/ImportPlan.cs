using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace CrmBot.Crm.Import;

/// <summary>
/// The planned import: the report, and the contacts and companies to write. Holds the write
/// transaction when planned for a commit; disposing it without committing rolls back (nothing was written).
/// </summary>
public sealed class ImportPlan : IAsyncDisposable
{
    private readonly CrmDbContext _db;
    private IDbContextTransaction? _transaction;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _source;
    private readonly DateTime _now;

    private readonly List<ContactDraft> _created = [];
    private readonly Dictionary<int, ContactDraft> _existing = [];
    private readonly Dictionary<string, ContactDraft> _byEmail = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Phone, string Name), ContactDraft> _byPhoneAndName = [];
    private readonly Dictionary<(string Name, string Company), ContactDraft> _byNameAndCompany = [];
    private readonly Dictionary<string, CompanyDraft> _newCompanies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unmatchedOwners = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<CleanRow> _flaggedRows = [];
    private bool _committed;

    internal ImportPlan(CrmDbContext db, IDbContextTransaction? transaction, TimeProvider time, ILogger logger,
        string source, HeaderMapping mapping, int columns)
    {
        _db = db;
        _transaction = transaction;
        _time = time;
        _logger = logger;
        _source = source;
        _now = time.GetUtcNow().UtcDateTime;
        Report = new ContactImportReport { File = source };
        for (var i = 0; i < columns; i++)
            Report.Columns.TryAdd(mapping.Headers[i].Length == 0 ? $"(column {i + 1})" : mapping.Headers[i], HeaderMapping.Name(mapping.Fields[i]));
    }

    public ContactImportReport Report { get; }

    internal void Build(CleanRow[] rows, StoreSnapshot snapshot)
    {
        Report.StoreMissing = snapshot.Missing;
        var companyKeys = snapshot.Companies.Values.ToDictionary(c => c.Id, c => c.NormalizedName);
        foreach (var contact in snapshot.Contacts)
        {
            var draft = new ContactDraft(contact, isNew: false, firstRow: 0)
            {
                CompanyKey = contact.CompanyId is { } id ? companyKeys.GetValueOrDefault(id) : null,
            };
            Index(draft);
        }

        foreach (var row in rows)
        {
            Report.RowsRead++;
            if (!row.HasName)
            {
                Report.RowsSkipped++;
                Flag(row);
                continue;
            }
            var ownerId = ResolveOwner(row.Owner, snapshot);
            var target = FindMatch(row);
            if (target is null)
            {
                Create(row, ownerId, snapshot);
                Report.ContactsCreated++;
            }
            else
            {
                var changes = Merge(target, row, ownerId, snapshot);
                if (target.IsNew)
                {
                    Report.RowsMerged++;
                    target.Merges.Add((row.Row, changes));
                }
                else
                {
                    Report.RowsMatchedExisting++;
                    if (changes.Count > 0)
                    {
                        target.Merges.Add((row.Row, changes));
                        _existing.TryAdd(target.Contact.Id, target);
                    }
                }
                Index(target);
            }
            Flag(row);
        }

        foreach (var company in _newCompanies.Values.OrderBy(c => c.Order))
            company.Entity = new Company { Name = company.DisplayName(), NormalizedName = company.Key, CreatedAt = _now };
        Report.CompaniesCreated = _newCompanies.Count;
        Report.ContactsUpdated = _existing.Count;
        foreach (var (owner, count) in _unmatchedOwners.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal))
            Report.UnmatchedOwners.Add(new UnmatchedOwner(owner, count));
    }

    private ContactDraft? FindMatch(CleanRow row)
    {
        if (row.Email is not null && _byEmail.TryGetValue(row.Email, out var byEmail)) return byEmail;
        // A row with neither email nor phone can only be recognised by name and company. It matches
        // only a contact that is just as bare: enough to make a second import of the same file a no-op,
        // without folding a bare row into a richer contact that may be a namesake.
        if (row.Email is null && row.Phone is null)
            return _byNameAndCompany.TryGetValue((row.NameKey, row.CompanyKey ?? ""), out var bare) && IsBare(bare.Contact) ? bare : null;
        if (row.Phone is null || !_byPhoneAndName.TryGetValue((row.Phone, row.NameKey), out var byPhone)) return null;
        if (row.Email is not null && byPhone.Contact.Email is not null && byPhone.Contact.Email != row.Email)
        {
            row.Flags.Add(new(ImportFlag.Duplicate,
                $"same phone and name as {byPhone.Describe()} but a different email; imported as a separate contact"));
            return null;
        }
        return byPhone;
    }

    private void Index(ContactDraft draft)
    {
        var c = draft.Contact;
        if (c.Email is not null) _byEmail.TryAdd(c.Email.ToLowerInvariant(), draft);
        // SearchName is the folded full name; the store keeps it so (see Contact.SearchName).
        var name = c.SearchName.Length > 0 ? c.SearchName : TextFold.Fold(c.FullName);
        if (c.Phone is not null) _byPhoneAndName.TryAdd((c.Phone, name), draft);
        if (IsBare(c)) _byNameAndCompany.TryAdd((name, draft.CompanyKey ?? ""), draft);
    }

    private static bool IsBare(Contact c) => c.Email is null && c.Phone is null;

    private void Create(CleanRow row, int? ownerId, StoreSnapshot snapshot)
    {
        var contact = new Contact
        {
            FirstName = row.FirstName,
            LastName = row.LastName,
            Email = row.Email,
            Phone = row.Phone,
            PhoneExtension = row.PhoneExtension,
            Title = row.Title,
            Country = row.Country,
            OwnerId = ownerId,
            SearchName = row.NameKey,
            CreatedAt = row.CreatedAt ?? _now,
            UpdatedAt = _now,
        };
        var draft = new ContactDraft(contact, isNew: true, row.Row);
        LinkCompany(draft, row, snapshot);
        _created.Add(draft);
        Index(draft);
    }

    /// <summary>Fills what the contact lacks from the row; never overwrites. Returns what changed.</summary>
    private List<FieldChange> Merge(ContactDraft draft, CleanRow row, int? ownerId, StoreSnapshot snapshot)
    {
        var c = draft.Contact;
        var changes = new List<FieldChange>();
        void Changed(string property, string field, string? old, string? @new)
        {
            changes.Add(new FieldChange(field, old, @new));
            draft.ChangedProperties.Add(property);
        }

        if (c.LastName.Length == 0 && row.LastName.Length > 0)
        {
            var old = c.FullName;
            c.FirstName = row.FirstName;
            c.LastName = row.LastName;
            c.SearchName = TextFold.Fold(c.FullName);
            Changed(nameof(Contact.FirstName), "name", old, c.FullName);
            draft.ChangedProperties.Add(nameof(Contact.LastName));
            draft.ChangedProperties.Add(nameof(Contact.SearchName));
        }
        if (c.Email is null && row.Email is not null)
        {
            c.Email = row.Email;
            Changed(nameof(Contact.Email), "email", null, row.Email);
        }
        if (c.Phone is null && row.Phone is not null)
        {
            c.Phone = row.Phone;
            Changed(nameof(Contact.Phone), "phone", null, row.Phone);
            if (row.PhoneExtension is not null && c.PhoneExtension is null)
            {
                c.PhoneExtension = row.PhoneExtension;
                Changed(nameof(Contact.PhoneExtension), "phoneExtension", null, row.PhoneExtension);
            }
        }
        else if (c.Phone == row.Phone && c.PhoneExtension is null && row.PhoneExtension is not null)
        {
            c.PhoneExtension = row.PhoneExtension;
            Changed(nameof(Contact.PhoneExtension), "phoneExtension", null, row.PhoneExtension);
        }
        if (string.IsNullOrEmpty(c.Title) && row.Title is not null)
        {
            Changed(nameof(Contact.Title), "title", c.Title, row.Title);
            c.Title = row.Title;
        }
        if (string.IsNullOrEmpty(c.Country) && row.Country is not null)
        {
            Changed(nameof(Contact.Country), "country", c.Country, row.Country);
            c.Country = row.Country;
        }
        if (c.CompanyId is null && draft.NewCompany is null && row.CompanyKey is not null)
        {
            LinkCompany(draft, row, snapshot);
            Changed(nameof(Contact.CompanyId), "company", null, row.CompanyText);
        }
        else if (row.CompanyKey is not null && draft.NewCompany?.Key == row.CompanyKey)
        {
            // Another spelling of the same new company: it counts toward the display name.
            draft.NewCompany.Saw(row.CompanyText!, row.Row);
        }
        if (c.OwnerId is null && ownerId is not null)
        {
            c.OwnerId = ownerId;
            Changed(nameof(Contact.OwnerId), "owner", null, row.Owner);
        }
        if (row.CreatedAt is { } created && created < c.CreatedAt)
        {
            Changed(nameof(Contact.CreatedAt), "created", Iso(c.CreatedAt), Iso(created));
            c.CreatedAt = created;
        }
        if (changes.Count > 0 && !draft.IsNew)
        {
            c.UpdatedAt = _now;
            draft.ChangedProperties.Add(nameof(Contact.UpdatedAt));
        }
        return changes;
    }

    private void LinkCompany(ContactDraft draft, CleanRow row, StoreSnapshot snapshot)
    {
        if (row.CompanyKey is null) return;
        draft.CompanyKey = row.CompanyKey;
        if (snapshot.Companies.TryGetValue(row.CompanyKey, out var existing))
        {
            draft.Contact.CompanyId = existing.Id;
            return;
        }
        if (!_newCompanies.TryGetValue(row.CompanyKey, out var company))
            _newCompanies[row.CompanyKey] = company = new CompanyDraft(row.CompanyKey, _newCompanies.Count);
        company.Saw(row.CompanyText!, row.Row);
        draft.NewCompany = company;
    }

    private int? ResolveOwner(string? owner, StoreSnapshot snapshot)
    {
        if (owner is null) return null;
        var email = EmailAddresses.Normalize(owner);
        if (email is not null && snapshot.MembersByEmail.TryGetValue(email, out var byEmail)) return byEmail;
        if (email is null && snapshot.MembersByName.TryGetValue(TextFold.Fold(owner), out var byName) && byName is not null) return byName;
        var key = email ?? owner;
        _unmatchedOwners[key] = _unmatchedOwners.GetValueOrDefault(key) + 1;
        return null;
    }

    private void Flag(CleanRow row)
    {
        if (row.Flags.Count == 0) return;
        Report.RowsFlagged++;
        Report.Flagged.Add(new FlaggedRow(row.Row, row.Source.Values, row.Flags));
        foreach (var kind in row.Flags.Select(f => f.Kind).Distinct())
            Report.FlagCounts[kind] = Report.FlagCounts.GetValueOrDefault(kind) + 1;
    }

    /// <summary>Writes the plan in the transaction taken at planning; all or nothing.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_transaction is null) throw new InvalidOperationException("This plan was made for a dry run; plan again with forCommit: true.");
        if (_committed) throw new InvalidOperationException("This plan is already committed.");
        var watch = Stopwatch.StartNew();
        var audit = new List<AuditEntry>(_created.Count + _existing.Count + _newCompanies.Count);
        // A large import touches many index pages; with SQLite's default 2 MB page cache they spill to
        // the WAL again and again inside the one transaction. A bigger cache for this connection, for now.
        await SetCacheSizeAsync(-64 * 1024, ct);

        using (var companies = RowInserts.Prepare<Company>(_db))
        {
            foreach (var company in _newCompanies.Values.OrderBy(c => c.Order).Select(c => c.Entity!))
            {
                await companies.InsertAsync(company, ct);
                audit.Add(Audit("Company", company.Id, "created", null, Json(new() { ["name"] = company.Name, ["source"] = _source })));
            }
        }

        using (var contacts = RowInserts.Prepare<Contact>(_db))
        {
            foreach (var draft in _created)
            {
                var c = draft.Contact;
                if (draft.NewCompany is not null) c.CompanyId = draft.NewCompany.Entity!.Id;
                await contacts.InsertAsync(c, ct);
                audit.Add(Audit("Contact", c.Id, "created", null, Json(new()
                {
                    ["name"] = c.FullName, ["email"] = c.Email, ["phone"] = c.Phone, ["source"] = $"{_source} row {draft.FirstRow}",
                })));
                foreach (var (row, changes) in draft.Merges)
                    audit.Add(Audit("Contact", c.Id, "merged", null, MergeJson(row, changes, f => f.New)));
            }
        }

        // Updates are few (contacts already in the store that gained a value): plain EF, only the changed columns.
        var autoDetect = _db.ChangeTracker.AutoDetectChangesEnabled;
        _db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var batch in _existing.Values.Chunk(ContactImporter.BatchSize))
            {
                foreach (var draft in batch)
                {
                    if (draft.NewCompany is not null) draft.Contact.CompanyId = draft.NewCompany.Entity!.Id;
                    var entry = _db.Contacts.Attach(draft.Contact);
                    foreach (var property in draft.ChangedProperties) entry.Property(property).IsModified = true;
                    foreach (var (row, changes) in draft.Merges)
                        audit.Add(Audit("Contact", draft.Contact.Id, "merged", MergeJson(null, changes, f => f.Old), MergeJson(row, changes, f => f.New)));
                }
                await _db.SaveChangesAsync(ct);
                _db.ChangeTracker.Clear();
            }
        }
        finally
        {
            _db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            _db.ChangeTracker.Clear();
        }

        using (var entries = RowInserts.Prepare<AuditEntry>(_db, returnKey: false))
        {
            foreach (var entry in audit) await entries.InsertAsync(entry, ct);
        }

        // Back to SQLite's default before the connection returns to the pool.
        await SetCacheSizeAsync(-2000, ct);
        await _transaction.CommitAsync(ct);
        _committed = true;
        Report.Committed = true;
        Log.Committed(_logger, watch.ElapsedMilliseconds);
    }

    private async Task SetCacheSizeAsync(int kibibytesNegative, CancellationToken ct)
    {
        if (!_db.Database.IsSqlite()) return;
        await using var command = _db.Database.GetDbConnection().CreateCommand();
        command.Transaction = _transaction?.GetDbTransaction();
        command.CommandText = $"PRAGMA cache_size = {kibibytesNegative.ToString(CultureInfo.InvariantCulture)};";
        await command.ExecuteNonQueryAsync(ct);
    }

    private AuditEntry Audit(string entityType, int id, string action, string? oldValue, string? newValue) => new()
    {
        At = _now,
        Actor = ContactImporter.ActorName,
        Channel = ContactImporter.Channel,
        EntityType = entityType,
        EntityId = id.ToString(CultureInfo.InvariantCulture),
        Action = action,
        OldValue = oldValue,
        NewValue = newValue,
    };

    private string MergeJson(int? row, List<FieldChange> changes, Func<FieldChange, string?> value)
    {
        var values = new Dictionary<string, string?>();
        foreach (var change in changes) values[change.Field] = value(change);
        if (row is not null) values["source"] = $"{_source} row {row}";
        return Json(values);
    }

    // Audit values are read by people (and never put into HTML): keep "+49…" and "ü" as they are.
    private static readonly JsonSerializerOptions AuditJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(Dictionary<string, string?> values) => JsonSerializer.Serialize(values, AuditJson);

    private static string Iso(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
            _transaction = null;
        }
    }
}

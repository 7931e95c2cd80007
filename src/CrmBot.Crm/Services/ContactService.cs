using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

/// <summary>A contact to add. Email and phone are already normalised (lower case; E.164).</summary>
public sealed record NewContact(string FirstName, string LastName, string? Email = null, string? Phone = null,
    string? PhoneExtension = null, string? CompanyName = null, string? Title = null)
{
    public string FullName => LastName.Length == 0 ? FirstName : $"{FirstName} {LastName}";
}

/// <summary>What <see cref="ContactService.CreateAsync"/> wrote: the contact, and its company when it had to be created.</summary>
public sealed record ContactCreated(Contact Contact, bool CompanyCreated);

/// <summary>Contacts added one at a time (in chat), each after a duplicate check.</summary>
public sealed class ContactService(CrmDbContext db, TimeProvider clock, CrmSearch search)
{
    // About one typo in one word of the name ("Bob Smyth" beside "Bob Smith").
    private const double CloseName = 0.8;

    /// <summary>
    /// Contacts that may be the same person: the same email or phone, or a close name at the same company
    /// (no company given: a close name with no company). Each with its company; at most five.
    /// </summary>
    public async Task<IReadOnlyList<Contact>> FindDuplicatesAsync(NewContact request, CancellationToken ct)
    {
        var found = new List<Contact>();
        if (request.Email is { } email)
            found.AddRange(await db.Contacts.Include(c => c.Company).Where(c => c.Email == email).OrderBy(c => c.Id).Take(5).ToListAsync(ct));
        if (request.Phone is { } phone)
            found.AddRange(await db.Contacts.Include(c => c.Company).Where(c => c.Phone == phone).OrderBy(c => c.Id).Take(5).ToListAsync(ct));

        var companyKey = request.CompanyName is null ? null : CompanyNames.Key(request.CompanyName);
        var name = TextFold.Fold(request.FullName);
        foreach (var match in await search.FindContactsAsync(request.FullName, 10, ct))
        {
            var sameCompany = companyKey is null ? match.Item.CompanyId is null : match.Item.Company?.NormalizedName == companyKey;
            if (sameCompany && NameScore.Score(name, match.Item.SearchName) >= CloseName) found.Add(match.Item);
        }
        return found.DistinctBy(c => c.Id).Take(5).ToList();
    }

    /// <summary>
    /// Adds the contact, owned by the actor, at its company; a company not known yet (by its key: "Acme Inc"
    /// is "Acme") is created with it. Audit entries for both, in one commit.
    /// </summary>
    public async Task<ContactCreated> CreateAsync(NewContact request, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.FirstName)) throw new CrmException("A contact needs a name.");
        var now = clock.GetUtcNow().UtcDateTime;
        var (company, companyCreated) = request.CompanyName is { } companyName ? await CompanyAsync(companyName, now, ct) : (null, false);
        var contact = new Contact
        {
            FirstName = request.FirstName.Trim(),
            LastName = request.LastName.Trim(),
            Email = request.Email,
            Phone = request.Phone,
            PhoneExtension = request.PhoneExtension,
            Title = request.Title,
            Company = company,
            OwnerId = actor.MemberId > 0 ? actor.MemberId : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Contacts.Add(contact);
        await db.InTransactionAsync(async () =>
        {
            await db.SaveChangesAsync(ct);
            if (companyCreated) AuditLog.Add(db, actor, nameof(Company), company!.Id, "created", null, company.Name);
            AuditLog.Add(db, actor, nameof(Contact), contact.Id, "created", null,
                string.Join(", ", new[] { contact.FullName, company?.Name, contact.Email, contact.Phone }.Where(v => v is not null)));
            return await db.SaveChangesAsync(ct);
        }, ct);
        return new ContactCreated(contact, companyCreated);
    }

    /// <summary>The company with this name's key, or a new one (added to the context, not yet saved).</summary>
    private async Task<(Company Company, bool Created)> CompanyAsync(string name, DateTime now, CancellationToken ct)
    {
        var key = CompanyNames.Key(name);
        if (key.Length == 0) throw new CrmException($"\"{name}\" isn't a company name I can use.");
        var existing = await db.Companies.FirstOrDefaultAsync(c => c.NormalizedName == key, ct);
        if (existing is not null) return (existing, false);
        var company = new Company { Name = name.Trim(), NormalizedName = key, CreatedAt = now };
        db.Companies.Add(company);
        return (company, true);
    }
}

using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;

namespace CrmBot.Tests;

/// <summary>One-line test fixtures shared by the test hosts.</summary>
public static class TestData
{
    /// <summary>A contact, optionally at a company (found by its key, created when new); saved.</summary>
    public static async Task<Contact> AddContactAsync(CrmDbContext db, string first, string last, string? company = null)
    {
        Company? c = null;
        if (company is not null)
        {
            var key = CompanyNames.Key(company);
            c = db.Companies.FirstOrDefault(x => x.NormalizedName == key)
                ?? db.Companies.Add(new Company { Name = company, NormalizedName = key }).Entity;
        }
        var contact = new Contact { FirstName = first, LastName = last, Company = c };
        db.Contacts.Add(contact);
        await db.SaveChangesAsync();
        return contact;
    }
}

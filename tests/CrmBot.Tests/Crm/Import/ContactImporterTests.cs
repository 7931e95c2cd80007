using System.Text;
using CrmBot.Crm;
using CrmBot.Crm.Import;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using CrmBot.Tests.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmBot.Tests.Crm.Import;

/// <summary>
/// The importer against a real (in-memory) SQLite store, with the 2,000-row legacy export.
/// <para>
/// How the expected counts were verified: (1) an independent re-implementation of the rules in a
/// few lines of Python (email regex, "+"/"00" phones only — every other format is national and
/// flagged without a region —, ambiguous dd/mm dates, email → phone+name → bare name+company
/// matching) gives the same 1686 created / 314 merged / 847 flagged (589 phone, 59 email,
/// 306 date). The same script with the rules before emails were repaired gives the earlier 1698 / 302 / 897
/// (151 email): the 92 emails with spaces around the @ are now read, which merges 12 more rows on email; no
/// legacy phone is a local-only number, so the stricter phone rule changes nothing here. (2) by hand on a sample, reading the rows in the file (row = spreadsheet row, header = 1):
/// rows 25 + 269 (Anna Tanaka, ANNA.TANAKA1012@… vs Anna.tanaka1012@…) merge on email;
/// rows 2 + 1407 (Jürgen Hassan, no email, "+33 68 8275 274" vs "+33 (0)688275274") merge on phone and name;
/// rows 33 + 1659 (Mia Doe, "+16465550187" vs "+1 646 555 0187", second without email) likewise;
/// rows 30 + 133 + 1089 (John Martin, three spellings of one email) are one contact from three rows;
/// rows 12 + 1879 (Björn Ivanova: "032 0399 089" with an email vs "+61 (0)320399089" without) stay two
/// contacts, because the national number cannot be read without a region — with --default-region AU they merge;
/// row 1250 (Grace Hassan, no email, "2065550193") stays apart from rows 29 + 341 for the same reason.
/// The 14 companies are the 14 distinct names once legal forms and case are ignored (Acme … Wonka).
/// </para>
/// </summary>
public sealed class ContactImporterTests(ContactImporterTests.LegacyImported legacyImported) : IDisposable, IClassFixture<ContactImporterTests.LegacyImported>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<CsvTable> Legacy = new(() =>
        ContactCsv.Read(Path.Combine(AppContext.BaseDirectory, "Data", "contacts-legacy-export.csv")));
    private static readonly ContactImportOptions LegacyOptions = new() { SourceName = "contacts-legacy-export.csv" };

    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    /// <summary>One committed import of the legacy export, shared by the tests that only read the result.</summary>
    public sealed class LegacyImported : IAsyncLifetime
    {
        public TestStore Store { get; } = new();
        public ContactImportReport Report { get; private set; } = null!;
        public async Task InitializeAsync() => Report = await ImportInto(Store, Legacy.Value, commit: true, LegacyOptions, new FixedTime(Now));
        public Task DisposeAsync()
        {
            Store.Dispose();
            return Task.CompletedTask;
        }
    }

    private Task<ContactImportReport> ImportAsync(CsvTable table, bool commit, ContactImportOptions? options = null, TimeProvider? time = null) =>
        ImportInto(_store, table, commit, options ?? LegacyOptions, time ?? new FixedTime(Now));

    private static async Task<ContactImportReport> ImportInto(TestStore store, CsvTable table, bool commit, ContactImportOptions options, TimeProvider time)
    {
        await using var db = store.NewContext();
        var importer = new ContactImporter(db, new PhoneNormalizer(), time, NullLogger<ContactImporter>.Instance);
        await using var plan = await importer.PlanAsync(table, options, forCommit: commit, CancellationToken.None);
        if (commit) await plan.CommitAsync(CancellationToken.None);
        return plan.Report;
    }

    private static CsvTable Csv(params string[] lines) => ContactCsv.Read(Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n"));

    [Fact]
    public async Task LegacyExport_DryRun_ReportsExactCounts_AndWritesNothing()
    {
        var report = await ImportAsync(Legacy.Value, commit: false);

        Assert.False(report.Committed);
        Assert.Equal(2000, report.RowsRead);
        Assert.Equal(1686, report.ContactsCreated);
        Assert.Equal(314, report.RowsMerged);
        Assert.Equal(0, report.RowsMatchedExisting);
        Assert.Equal(0, report.ContactsUpdated);
        Assert.Equal(14, report.CompaniesCreated);
        Assert.Equal(847, report.RowsFlagged);
        Assert.Equal(0, report.RowsSkipped);
        Assert.Equal(new Dictionary<string, int> { ["date"] = 306, ["email"] = 59, ["phone"] = 589 }, report.FlagCounts);
        Assert.Equal(["kim@ourco.example", "alex@ourco.example", "sam@ourco.example"], report.UnmatchedOwners.Select(o => o.Owner));
        Assert.Equal(529, report.UnmatchedOwners[0].Rows);

        await using var db = _store.NewContext();
        Assert.Equal(0, await db.Contacts.CountAsync());
        Assert.Equal(0, await db.Companies.CountAsync());
        Assert.Equal(0, await db.AuditEntries.CountAsync());
    }

    [Fact]
    public async Task LegacyExport_Commit_WritesWhatTheReportSays()
    {
        var report = legacyImported.Report;
        Assert.True(report.Committed);
        Assert.Equal((1686, 314, 14, 847), (report.ContactsCreated, report.RowsMerged, report.CompaniesCreated, report.RowsFlagged));

        await using var db = legacyImported.Store.NewContext();
        var contacts = await db.Contacts.ToListAsync();
        Assert.Equal(1686, contacts.Count);
        Assert.Equal(14, await db.Companies.CountAsync());
        Assert.Equal(
            ["Acme", "Cyberdyne", "Globex", "Hooli", "Initech", "Oceanic", "Pied Piper", "Soylent", "Stark Industries", "Tyrell",
             "Umbrella", "Vandelay Industries", "Wayne Enterprises", "Wonka"],
            await db.Companies.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync());
        Assert.All(contacts, c =>
        {
            Assert.Equal(TextFold.Fold(c.FullName), c.SearchName);
            Assert.NotNull(c.CompanyId);
            Assert.True(c.Email is null || c.Email == c.Email.ToLowerInvariant());
            Assert.True(c.Phone is null || c.Phone.StartsWith('+'));
            Assert.DoesNotContain(c.FirstName, n => char.IsWhiteSpace(n));
        });
        Assert.DoesNotContain(contacts, c => c.FirstName == "ZOË" || c.LastName == "kim");
        var audit = await db.AuditEntries.GroupBy(a => new { a.EntityType, a.Action }).Select(g => new { g.Key.EntityType, g.Key.Action, Count = g.Count() }).ToListAsync();
        Assert.Contains(audit, a => a is { EntityType: "Contact", Action: "created", Count: 1686 });
        Assert.Contains(audit, a => a is { EntityType: "Contact", Action: "merged", Count: 314 });
        Assert.Contains(audit, a => a is { EntityType: "Company", Action: "created", Count: 14 });
        Assert.True(await db.AuditEntries.AllAsync(a => a.Actor == "import" && a.Channel == "import" && a.MemberId == null));
    }

    [Fact]
    public async Task SamePerson_WithEmailCaseDifferences_IsOneContact()
    {
        await using var db = legacyImported.Store.NewContext();
        // Rows 25 (ANNA.TANAKA1012@SOYLENT.COM, +16175550118, Office Manager, 5 Mar 2023) and 269
        // (Anna.tanaka1012@soylent.com, national 6175550118, Buyer, ambiguous 03/05/2023).
        var anna = Assert.Single(await db.Contacts.Where(c => c.Email == "anna.tanaka1012@soylent.com").ToListAsync());
        Assert.Equal("Anna Tanaka", anna.FullName);
        Assert.Equal("+16175550118", anna.Phone);
        Assert.Equal("Office Manager", anna.Title); // the first row's value is kept, never overwritten
        Assert.Equal(new DateTime(2023, 3, 5, 0, 0, 0, DateTimeKind.Utc), anna.CreatedAt);
        var merged = Assert.Single(await db.AuditEntries.Where(a => a.EntityId == anna.Id.ToString() && a.Action == "merged").ToListAsync());
        Assert.Contains("row 269", merged.NewValue);
    }

    [Fact]
    public async Task SamePerson_WithoutEmail_AndTheSamePhoneInAnotherFormat_IsOneContact()
    {
        await using var db = legacyImported.Store.NewContext();
        // Row 2: Jürgen Hassan, no email, "+33 68 8275 274". Row 1407: JRGEN.HASSAN957@OCEANIC.AU, "+33 (0)688275274".
        var jurgen = Assert.Single(await db.Contacts.Where(c => c.Phone == "+33688275274").ToListAsync());
        Assert.Equal("Jürgen Hassan", jurgen.FullName);
        Assert.Equal("jrgen.hassan957@oceanic.au", jurgen.Email); // filled in by the second row
        var merged = Assert.Single(await db.AuditEntries.Where(a => a.EntityId == jurgen.Id.ToString() && a.Action == "merged").ToListAsync());
        Assert.Contains("\"email\":\"jrgen.hassan957@oceanic.au\"", merged.NewValue);
        Assert.Contains("row 1407", merged.NewValue);

        // Rows 33 + 1659: Mia Doe, "+16465550187" with an email and "+1 646 555 0187" without.
        Assert.Single(await db.Contacts.Where(c => c.Phone == "+16465550187").ToListAsync());
    }

    [Fact]
    public async Task NationalNumber_IsMatchedOnlyOnceARegionIsGiven()
    {
        var withoutRegion = await ImportAsync(Legacy.Value, commit: false);
        Assert.Equal(1686, withoutRegion.ContactsCreated);
        await ImportAsync(Legacy.Value, commit: true, LegacyOptions with { DefaultRegion = "AU" });

        await using var db = _store.NewContext();
        // Rows 12 ("032 0399 089", with email) and 1879 ("+61 (0)320399089", no email): one person once AU is known.
        var bjorn = Assert.Single(await db.Contacts.Where(c => c.Phone == "+61320399089").ToListAsync());
        Assert.Equal("bjrn.ivanova395@hooli.xyz", bjorn.Email);
    }

    [Fact]
    public async Task SecondImportOfTheSameFile_ChangesNothing()
    {
        await ImportAsync(Legacy.Value, commit: true);
        string Snapshot(CrmDbContext db) => string.Join('\n', db.Contacts.OrderBy(c => c.Id).AsEnumerable()
            .Select(c => $"{c.Id}|{c.FullName}|{c.Email}|{c.Phone}|{c.PhoneExtension}|{c.Title}|{c.CompanyId}|{c.OwnerId}|{c.CreatedAt:O}|{c.UpdatedAt:O}"));
        string before;
        int auditBefore;
        await using (var db = _store.NewContext())
        {
            before = Snapshot(db);
            auditBefore = await db.AuditEntries.CountAsync();
        }

        var second = await ImportAsync(Legacy.Value, commit: true, time: new FixedTime(Now.AddDays(1)));

        Assert.Equal(0, second.ContactsCreated);
        Assert.Equal(0, second.ContactsUpdated);
        Assert.Equal(0, second.RowsMerged);
        Assert.Equal(0, second.CompaniesCreated);
        Assert.Equal(2000, second.RowsMatchedExisting);
        await using (var db = _store.NewContext())
        {
            Assert.Equal(before, Snapshot(db));
            Assert.Equal(auditBefore, await db.AuditEntries.CountAsync());
        }
    }

    [Fact]
    public async Task RowMatchingAStoreContact_FillsOnlyWhatItLacks_AndIsAudited()
    {
        await using (var db = _store.NewContext())
        {
            db.Companies.Add(new Company { Name = "Hooli Labs", NormalizedName = CompanyNames.Key("Hooli") });
            db.Contacts.Add(new Contact
            {
                FirstName = "Fatima", LastName = "Khan", Email = "fatima.khan1084@hooli.xyz", Title = "CTO",
                SearchName = "fatima khan", CreatedAt = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
        }

        var report = await ImportAsync(Csv(
            "First Name,Last Name,Email,Phone,Company,Job Title,Created",
            "FATIMA,khan,Fatima.Khan1084@hooli.xyz,+49 (0)5684211395,\"Hooli, Inc.\",Engineer,2023-03-05"), commit: true);

        Assert.Equal(1, report.RowsMatchedExisting);
        Assert.Equal(1, report.ContactsUpdated);
        Assert.Equal(0, report.ContactsCreated);
        Assert.Equal(0, report.CompaniesCreated);
        await using var check = _store.NewContext();
        var fatima = await check.Contacts.Include(c => c.Company).SingleAsync();
        Assert.Equal("+495684211395", fatima.Phone);
        Assert.Equal("CTO", fatima.Title);
        Assert.Equal("Hooli Labs", fatima.Company!.Name); // linked to the existing company, not renamed
        Assert.Equal(new DateTime(2023, 3, 5, 0, 0, 0, DateTimeKind.Utc), fatima.CreatedAt); // the earliest date wins
        Assert.Equal(Now.UtcDateTime, fatima.UpdatedAt);
        var entry = await check.AuditEntries.SingleAsync();
        Assert.Equal(("import", "import", "Contact", fatima.Id.ToString(), "merged"), (entry.Actor, entry.Channel, entry.EntityType, entry.EntityId, entry.Action));
        Assert.Contains("\"phone\":null", entry.OldValue);
        Assert.Contains("\"phone\":\"+495684211395\"", entry.NewValue);
    }

    [Fact]
    public async Task ImportedAndMergedNames_AreInTheWordVocabulary_AndFoundWithATypo()
    {
        await using (var db = _store.NewContext())
        {
            db.Contacts.Add(new Contact { FirstName = "Fatima", Email = "fatima.khan1084@hooli.xyz" });
            await db.SaveChangesAsync();
        }

        // The row gives the store contact its last name (a merge), and brings in a new contact.
        var report = await ImportAsync(Csv(
            "First Name,Last Name,Email",
            "Fatima,Khan,fatima.khan1084@hooli.xyz",
            "Henrik,Vahlberg,henrik@example.com"), commit: true);

        Assert.Equal((1, 1), (report.ContactsUpdated, report.ContactsCreated));
        await using var check = _store.NewContext();
        await ContactVocabulary.AssertMatchesNamesAsync(check);
        var search = new CrmBot.Crm.Services.CrmSearch(check, Microsoft.Extensions.Options.Options.Create(new CrmOptions()));
        Assert.Equal("Fatima Khan", (await search.FindContactsAsync("fatima kahn", 5, default))[0].Item.FullName);
        Assert.Equal("Henrik Vahlberg", (await search.FindContactsAsync("henrik vahlbreg", 5, default))[0].Item.FullName);
    }

    [Fact]
    public async Task LegacyExport_Commit_FillsTheWordVocabulary()
    {
        await using var db = legacyImported.Store.NewContext();
        await ContactVocabulary.AssertMatchesNamesAsync(db);
    }

    [Fact]
    public async Task Owner_IsTheMemberWithThatEmail_OthersAreReported()
    {
        await using (var db = _store.NewContext())
        {
            db.Members.Add(new Member { Channel = "slack", TenantId = "T1", UserId = "U1", DisplayName = "Kim Park", Email = "kim@ourco.example" });
            db.Members.Add(new Member { Channel = "slack", TenantId = "T1", UserId = "U2", DisplayName = "Alex Roe", Email = "alex@ourco.example" });
            await db.SaveChangesAsync();
        }

        var report = await ImportAsync(Csv(
            "Name,Email,Contact Owner",
            "Jane Doe,jane@example.com,KIM@ourco.example",
            "John Roe,john@example.com,Alex Roe",
            "Ann Lee,ann@example.com,sam@ourco.example"), commit: true);

        await using var check = _store.NewContext();
        var owners = await check.Contacts.OrderBy(c => c.Id).Select(c => c.Owner == null ? null : c.Owner.DisplayName).ToListAsync();
        Assert.Equal(["Kim Park", "Alex Roe", null], owners);
        Assert.Equal([new UnmatchedOwner("sam@ourco.example", 1)], report.UnmatchedOwners);
    }

    [Fact]
    public async Task PhoneNotPossibleForItsCountry_IsFlaggedAndLeftOut()
    {
        var report = await ImportAsync(Csv(
            "Name,Email,Phone,Country",
            "Li Wei,li.wei@example.cn,12345,CN",
            "Amy Pond,amy@example.com,555-0101,US",
            "Wang Fang,wang.fang@example.cn,010 1234 5678,CN"), commit: true);

        await using var db = _store.NewContext();
        var phones = await db.Contacts.OrderBy(c => c.Id).Select(c => c.Phone).ToListAsync();
        Assert.Equal([null, null, "+861012345678"], phones);
        Assert.Equal([2, 3], report.Flagged.Select(f => f.Row));
        var tooShort = Assert.Single(report.Flagged[0].Reasons);
        Assert.Equal(ImportFlag.Phone, tooShort.Kind);
        Assert.Contains("'12345' is not a valid number for CN", tooShort.Message);
        Assert.Contains("area code", tooShort.Message);
        Assert.Equal(ImportFlag.Phone, Assert.Single(report.Flagged[1].Reasons).Kind);
    }

    [Fact]
    public async Task EmailWithSpacesAroundTheAt_IsRepaired_AndMatchesTheSameAddress()
    {
        var report = await ImportAsync(Csv(
            "Name,Email,Company",
            "Fatima Novak,fatima.novak1014 @ piedpiper.com,Pied Piper",
            "Fatima Novak,Fatima.Novak1014@piedpiper.com,Pied Piper",
            "Jane Doe,jane doe@example.com,Acme"), commit: true);

        Assert.Equal((2, 1), (report.ContactsCreated, report.RowsMerged));
        await using var db = _store.NewContext();
        Assert.Equal(["fatima.novak1014@piedpiper.com", null], await db.Contacts.OrderBy(c => c.Id).Select(c => c.Email).ToListAsync());
        var flagged = Assert.Single(report.Flagged);
        Assert.Equal(4, flagged.Row);
        Assert.Equal(ImportFlag.Email, Assert.Single(flagged.Reasons).Kind);
    }

    [Fact]
    public async Task SamePhoneAndName_WithDifferentEmails_AreKeptApartAndFlagged()
    {
        var report = await ImportAsync(Csv(
            "Name,Email,Phone",
            "Jane Doe,jane@work.example,+1 415 555 0100",
            "Jane Doe,jane@home.example,(415) 555-0100"), commit: true, LegacyOptions with { DefaultRegion = "US" });

        Assert.Equal(2, report.ContactsCreated);
        var flagged = Assert.Single(report.Flagged);
        Assert.Equal(3, flagged.Row);
        Assert.Equal(ImportFlag.Duplicate, Assert.Single(flagged.Reasons).Kind);
        Assert.Contains("row 2", flagged.Reasons[0].Message);
    }

    [Fact]
    public async Task Companies_AreOnePerKey_WithACleanDisplayName()
    {
        var report = await ImportAsync(Csv(
            "Name,Email,Company",
            "A One,a1@example.com,ACME INC",
            "A Two,a2@example.com,\"Acme, Inc.\"",
            "A Three,a3@example.com,Acme GmbH",
            "A Four,a4@example.com,acme",
            "B One,b1@example.com,INITECH LTD",
            "C One,c1@example.com,IBM Corp"), commit: true);

        Assert.Equal(3, report.CompaniesCreated);
        await using var db = _store.NewContext();
        Assert.Equal(["Acme", "IBM", "Initech"], await db.Companies.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync());
        Assert.Equal(4, await db.Contacts.CountAsync(c => c.Company!.NormalizedName == "acme"));
    }

    [Fact]
    public async Task CountryColumn_GivesThePhoneRegion_AnUnknownCountryIsFlaggedNotDefaulted()
    {
        var report = await ImportAsync(Csv(
            "Name,Email,Phone,Country",
            "Hans Meier,hans@example.de,030 1234567,Germany",
            "Amy Pond,amy@example.com,(415) 555-0101,",
            "Rory Williams,rory@example.com,020 7946 0000,Atlantis"), commit: true, LegacyOptions with { DefaultRegion = "US" });

        await using var db = _store.NewContext();
        var contacts = await db.Contacts.OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(("+49301234567", "DE"), (contacts[0].Phone, contacts[0].Country));
        Assert.Equal("+14155550101", contacts[1].Phone); // no country: the default region
        Assert.Null(contacts[2].Phone);
        var flagged = Assert.Single(report.Flagged);
        Assert.Equal(4, flagged.Row);
        Assert.Equal([ImportFlag.Country, ImportFlag.Phone], flagged.Reasons.Select(r => r.Kind));
    }

    [Fact]
    public async Task InvalidEmail_ContactComesInWithoutIt_RowWithoutNameIsSkipped()
    {
        var report = await ImportAsync(Csv(
            "First Name,Last Name,Email,Phone",
            "lena,WALKER,lena@,+49 88 9300 3791 ext. 5",
            ",,nobody@example.com,"), commit: true);

        Assert.Equal((1, 1, 2), (report.ContactsCreated, report.RowsSkipped, report.RowsFlagged));
        Assert.Equal([ImportFlag.Email], report.Flagged[0].Reasons.Select(r => r.Kind));
        Assert.Equal([ImportFlag.Name], report.Flagged[1].Reasons.Select(r => r.Kind));
        await using var db = _store.NewContext();
        var lena = await db.Contacts.SingleAsync();
        Assert.Equal(("Lena Walker", null, "+498893003791", "5"), (lena.FullName, lena.Email, lena.Phone, lena.PhoneExtension));
    }

    [Fact]
    public async Task DefaultRegion_Unknown_IsAClearError()
    {
        var error = await Assert.ThrowsAsync<ImportException>(() => ImportAsync(Csv("Name", "Jane Doe"), commit: false, LegacyOptions with { DefaultRegion = "XX" }));
        Assert.Contains("--default-region 'XX'", error.Message);
    }

    internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

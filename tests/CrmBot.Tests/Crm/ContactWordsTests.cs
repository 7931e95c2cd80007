using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm;

/// <summary>
/// The contact word vocabulary (ContactWords, ContactWordKeys) against what the contacts' names say it should be,
/// worked out here independently of the triggers.
/// </summary>
public static class ContactVocabulary
{
    public static async Task AssertMatchesNamesAsync(CrmDbContext db)
    {
        var names = await db.Contacts.Select(c => new { c.Id, c.SearchName }).ToListAsync();
        var words = names.SelectMany(n => n.SearchName.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => (w, n.Id))).Distinct()
            .Order().ToList();
        var keys = words.Select(x => x.w).Distinct().SelectMany(w => KeysOf(w).Select(k => (k, w))).Distinct().Order().ToList();

        var storedWords = (await db.Database.SqlQueryRaw<WordRow>("SELECT Word, Id FROM ContactWords").ToListAsync())
            .Select(r => (r.Word, r.Id)).Order().ToList();
        var storedKeys = (await db.Database.SqlQueryRaw<KeyRow>("SELECT Key, Word FROM ContactWordKeys").ToListAsync())
            .Select(r => (r.Key, r.Word)).Order().ToList();
        Assert.Equal(words, storedWords);
        Assert.Equal(keys, storedKeys);
    }

    /// <summary>The word and every form of it with one letter left out (none for a one-letter word).</summary>
    private static IEnumerable<string> KeysOf(string word) =>
        word.Length < 2 ? [word] : [word, .. Enumerable.Range(0, word.Length).Select(i => word.Remove(i, 1))];

    private sealed record WordRow(string Word, int Id);

    private sealed record KeyRow(string Key, string Word);
}

public class ContactWordsTests
{
    [Fact]
    public async Task Vocabulary_FollowsInsertsRenamesAndDeletes_AndForgetsAWordNoNameHolds()
    {
        using var crm = new CrmHost();
        var jane = await crm.ContactAsync("Jane", "Doe");
        var john = await crm.ContactAsync("John", "Doe");
        var zoe = await crm.ContactAsync("Zoë", "O'Brien");
        await crm.ContactAsync("Ana", "de la Cruz");
        await using (var turn = crm.Turn()) await ContactVocabulary.AssertMatchesNamesAsync(turn.Get<CrmDbContext>());

        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            (await db.Contacts.SingleAsync(c => c.Id == jane.Id)).LastName = "Okafor";
            (await db.Contacts.SingleAsync(c => c.Id == zoe.Id)).FirstName = "Zoe";      // folds the same: no change
            await db.SaveChangesAsync();
            await ContactVocabulary.AssertMatchesNamesAsync(db);
            Assert.Contains("doe", await KnownWordsAsync(db));                             // John still holds it
            Assert.Contains("okafor", await KnownWordsAsync(db));

            db.Contacts.Remove(await db.Contacts.SingleAsync(c => c.Id == john.Id));
            await db.SaveChangesAsync();
            await ContactVocabulary.AssertMatchesNamesAsync(db);
            Assert.DoesNotContain("doe", await KnownWordsAsync(db));
            Assert.DoesNotContain("john", await KnownWordsAsync(db));
        }

        // Writes that bypass EF's change tracking (bulk updates, another tool's SQL) are followed too.
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            await db.Contacts.Where(c => c.Id == jane.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastName, "Doe-Smith").SetProperty(c => c.SearchName, "jane doe smith"));
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO Contacts (FirstName, LastName, SearchName, CreatedAt, UpdatedAt) VALUES ('Li', 'Wei', 'li wei', '2026-11-22', '2026-11-22')");
            await db.Contacts.Where(c => c.SearchName == "ana de la cruz").ExecuteDeleteAsync();
            await ContactVocabulary.AssertMatchesNamesAsync(db);
        }

        await using var check = crm.Turn();
        var search = check.Get<CrmSearch>();
        Assert.Equal("Jane Doe-Smith", (await search.FindContactsAsync("jane doe smiht", 5, default))[0].Item.FullName);
        Assert.Empty(await search.FindContactsAsync("john deo", 5, default));
    }

    private static Task<List<string>> KnownWordsAsync(CrmDbContext db) =>
        db.Database.SqlQueryRaw<string>("SELECT DISTINCT Word AS Value FROM ContactWordKeys").ToListAsync();

    [Fact]
    public async Task NamesakesAndRepeatedWords_KeepOneEntryPerWord_UntilTheLastHolderGoes()
    {
        using var crm = new CrmHost();
        var first = await crm.ContactAsync("Jane", "Doe");
        var second = await crm.ContactAsync("Jane", "Doe");
        await crm.ContactAsync("Jane", "Jane");

        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        await ContactVocabulary.AssertMatchesNamesAsync(db);
        db.Contacts.Remove(await db.Contacts.SingleAsync(c => c.Id == first.Id));
        await db.SaveChangesAsync();
        await ContactVocabulary.AssertMatchesNamesAsync(db);
        db.Contacts.Remove(await db.Contacts.SingleAsync(c => c.Id == second.Id));
        await db.SaveChangesAsync();
        await ContactVocabulary.AssertMatchesNamesAsync(db);
    }

    [Fact]
    public async Task NameNotFoldedByUs_QuotesAreWords_AndAControlCharacterDoesNotFailTheWrite()
    {
        using var crm = new CrmHost();
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO Contacts (FirstName, LastName, SearchName, CreatedAt, UpdatedAt) VALUES ('x', 'y', {0}, '2026-11-22', '2026-11-22')",
            "o\"neil back\\slash");
        await ContactVocabulary.AssertMatchesNamesAsync(db);

        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO Contacts (FirstName, LastName, SearchName, CreatedAt, UpdatedAt) VALUES ('x', 'y', {0}, '2026-11-22', '2026-11-22')",
            "tab\there");
        await db.Database.ExecuteSqlRawAsync("UPDATE Contacts SET SearchName = 'tab' || char(9) || 'again' WHERE SearchName = {0}", "tab\there");
        await db.Database.ExecuteSqlRawAsync("DELETE FROM Contacts WHERE SearchName LIKE 'tab%'");
        await db.Database.ExecuteSqlRawAsync("DELETE FROM Contacts");
        await ContactVocabulary.AssertMatchesNamesAsync(db);
    }

    [Fact]
    public async Task UpgradedStore_GetsTheVocabularyOfItsExistingContacts_Once()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, connection);
        await using var db = new CrmDbContext(builder.Options);
        // Contacts written before the vocabulary existed: plain EF migrations, no StoreMigrator.
        await db.Database.MigrateAsync();
        db.Contacts.AddRange(
            new Contact { FirstName = "Henrik", LastName = "Vahlberg" },
            new Contact { FirstName = "Henrik", LastName = "Lindqvist" },
            new Contact { FirstName = "Jürgen", LastName = "Müller" });
        await db.SaveChangesAsync();
        Assert.Contains("ContactWords", (await new StoreMigrator(db).CheckAsync()).Detail);

        await new StoreMigrator(db).MigrateAsync();
        await new StoreMigrator(db).MigrateAsync();

        Assert.Equal((true, "ok"), await new StoreMigrator(db).CheckAsync());
        await ContactVocabulary.AssertMatchesNamesAsync(db);
        db.Contacts.Add(new Contact { FirstName = "Henrik", LastName = "Valberg" });
        await db.SaveChangesAsync();
        await ContactVocabulary.AssertMatchesNamesAsync(db);
    }
}

using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm;

public class SearchIndexTests
{
    [Fact]
    public async Task StoreWithoutIndex_IsUnhealthy_ThenMigratorIndexesExistingRows_AndIsIdempotent()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, connection);
        await using var db = new CrmDbContext(builder.Options);

        // A store brought up by plain EF migrations, with data, as an older version would leave it.
        await db.Database.MigrateAsync();
        db.Contacts.Add(new Contact { FirstName = "Jürgen", LastName = "Müller" });
        await db.SaveChangesAsync();
        var (ok, detail) = await new StoreMigrator(db).CheckAsync();
        Assert.False(ok);
        Assert.Contains("ContactSearch", detail);

        await new StoreMigrator(db).MigrateAsync();
        await new StoreMigrator(db).MigrateAsync();

        Assert.Equal((true, "ok"), await new StoreMigrator(db).CheckAsync());
        var search = new CrmSearch(db, Options.Create(new CrmOptions()));
        Assert.Equal("Jürgen Müller", Assert.Single(await search.FindContactsAsync("muller", 5, default)).Item.FullName);
    }

    [Fact]
    public async Task Postgres_WordKeysIndex_IsMadeByTheMigrator_ItsLossIsUnhealthy_AndTheNextStartPutsItBack()
    {
        using var store = TestStore.Create(StoreProvider.Postgres);
        await using var db = store.NewContext();
        Assert.Equal((true, "ok"), await new StoreMigrator(db).CheckAsync());

        await db.Database.ExecuteSqlRawAsync("DROP INDEX \"IX_Contacts_SearchName_WordKeys\"");
        Assert.Equal((false, "search index missing: IX_Contacts_SearchName_WordKeys"), await new StoreMigrator(db).CheckAsync());

        await new StoreMigrator(db).MigrateAsync();
        Assert.Equal((true, "ok"), await new StoreMigrator(db).CheckAsync());
        db.Contacts.Add(new Contact { FirstName = "Noah", LastName = "Nuñez" });
        await db.SaveChangesAsync();
        var search = new CrmSearch(db, Options.Create(new CrmOptions()));
        Assert.Equal("Noah Nuñez", (await search.FindContactsAsync("noah nnuez", 5, default))[0].Item.FullName);
    }
}

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
}

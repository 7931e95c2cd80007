using CrmBot.Crm;
using CrmBot.Crm.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm;

public class CompiledQueryTests
{
    [Fact]
    public async Task HotPathQueries_WorkOnStoresConfiguredDifferently_EachWithItsOwnModel()
    {
        // EF binds a compiled query to one model, and a context whose options lead to another internal service
        // provider (here forced by turning off EF's provider caching) gets a model of its own. Both must be
        // served, in either order.
        using var plainConnection = new SqliteConnection("Data Source=:memory:");
        using var loggedConnection = new SqliteConnection("Data Source=:memory:");
        plainConnection.Open();
        loggedConnection.Open();
        var plain = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), plainConnection);
        var logged = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), loggedConnection)
            .EnableServiceProviderCaching(false);

        await using var a = new CrmDbContext((DbContextOptions<CrmDbContext>)plain.Options);
        await using var b = new CrmDbContext((DbContextOptions<CrmDbContext>)logged.Options);
        Assert.NotSame(a.Model, b.Model);
        foreach (var db in new[] { a, b, a })
        {
            await new StoreMigrator(db).MigrateAsync();
            var members = new MemberService(db, TimeProvider.System, Options.Create(new CrmOptions()), NullLogger<MemberService>.Instance);
            var ana = await members.ResolveAsync(new MemberIdentity("slack", "T1", "U1", "Ana"), default);
            Assert.Equal("Ana", ana.DisplayName);
            Assert.Empty((await new FollowUpService(db, TimeProvider.System).DueAsync(ana.Id, default)).Overdue);
            Assert.Empty(await new CrmSearch(db, Options.Create(new CrmOptions())).FindContactsAsync("jane doe", 5, default));
        }
        Assert.Equal(1, await a.Members.CountAsync());
        Assert.Equal(1, await b.Members.CountAsync());
    }
}

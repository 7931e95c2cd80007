using CrmBot.Crm;
using CrmBot.Crm.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm;

public class CompiledQueryTests
{
    [Fact]
    public async Task HotPathQueries_WorkOnStoresConfiguredDifferently_EachWithItsOwnModel()
    {
        // EF binds a compiled query to one model. Every options set runs on the generated compiled model
        // (CompiledModel/), also when its options lead to another internal service provider (here forced by
        // turning off EF's provider caching); a store given a model built from OnModelCreating has a model
        // of its own. All must be served, in any order.
        using var plainConnection = new SqliteConnection("Data Source=:memory:");
        using var loggedConnection = new SqliteConnection("Data Source=:memory:");
        using var builtConnection = new SqliteConnection("Data Source=:memory:");
        plainConnection.Open();
        loggedConnection.Open();
        builtConnection.Open();
        var plain = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), plainConnection);
        var logged = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), loggedConnection)
            .EnableServiceProviderCaching(false);

        await using var a = new CrmDbContext((DbContextOptions<CrmDbContext>)plain.Options);
        await using var b = new CrmDbContext((DbContextOptions<CrmDbContext>)logged.Options);
        var builtModel = a.GetService<IModelSource>().GetModel(a, a.GetService<ModelCreationDependencies>(), designTime: false);
        var built = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), builtConnection)
            .UseModel(builtModel);
        await using var c = new CrmDbContext((DbContextOptions<CrmDbContext>)built.Options);
        Assert.Same(a.Model, b.Model);
        Assert.NotSame(a.Model, c.Model);
        foreach (var db in new[] { a, c, b, a, c })
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
        Assert.Equal(1, await c.Members.CountAsync());
    }
}

using CrmBot.Crm;
using CrmBot.Crm.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Cli;

/// <summary>`migrate` and `seed-demo` through the real executable, on a store of their own.</summary>
public sealed class SeedDemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-seed-cli-").FullName;
    private string DbPath => Path.Combine(_dir, "crm.db");

    [Fact]
    public async Task Migrate_ThenSeedDemoTwice_SeedsOnce_AndSaysSoTheSecondTime()
    {
        var migrate = await CrmBotProcess.RunAsync(DbPath, _dir, ["migrate"]);
        Assert.True(migrate.Exit == 0, migrate.All);
        Assert.Contains("Store is up to date", migrate.Out);

        var first = await CrmBotProcess.RunAsync(DbPath, _dir, ["seed-demo"]);
        Assert.True(first.Exit == 0, first.All);
        Assert.Contains("Demo workspace created", first.Out);
        var (contacts, deals, due) = await CountsAsync();
        Assert.True(contacts >= 5, $"{contacts} contacts");
        Assert.True(deals >= 5, $"{deals} deals");
        Assert.True(due > 0, "no open follow-ups");

        var second = await CrmBotProcess.RunAsync(DbPath, _dir, ["seed-demo"]);
        Assert.True(second.Exit == 0, second.All);
        Assert.Contains("nothing was seeded", second.Out);
        Assert.Equal((contacts, deals, due), await CountsAsync());
    }

    private async Task<(int Contacts, int Deals, int OpenFollowUps)> CountsAsync()
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, $"Data Source={DbPath};Pooling=False");
        await using var db = new CrmDbContext(builder.Options);
        return (await db.Contacts.CountAsync(), await db.Deals.CountAsync(),
            await db.FollowUps.CountAsync(f => f.Status != FollowUpStatus.Done));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

using CrmBot.Bench;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Bench;

/// <summary>
/// The benchmark store generator writes rows with its own SQL, outside the model, and the bench is not built by
/// `dotnet test`; compiled in here, a model change it has not followed (a new NOT NULL column) fails a test instead of
/// the next benchmark round.
/// </summary>
public sealed class StoreGeneratorTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crmbot-gen-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task AScaledDownStore_IsReadByTheProductsModel_RowForRow()
    {
        var size = new StoreSize(Members: 20, Companies: 10, Contacts: 60, Deals: 15, Activities: 80, FollowUps: 40);
        await StoreGenerator.GenerateAsync(_path, size, _ => { }, CancellationToken.None);

        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), $"Data Source={_path}").Options;
        await using var db = new CrmDbContext((DbContextOptions<CrmDbContext>)options);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        // Materialising every entity reads every column, so a value the model cannot hold fails here.
        Assert.Equal(size.Members, (await db.Members.AsNoTracking().ToListAsync()).Count);
        Assert.Equal(size.Companies, (await db.Companies.AsNoTracking().ToListAsync()).Count);
        Assert.Equal(size.Contacts, (await db.Contacts.AsNoTracking().ToListAsync()).Count);
        Assert.Equal(size.Deals, (await db.Deals.AsNoTracking().ToListAsync()).Count);
        Assert.Equal(size.Activities, (await db.Activities.AsNoTracking().ToListAsync()).Count);
        Assert.Equal(size.FollowUps, (await db.FollowUps.AsNoTracking().ToListAsync()).Count);
        // The generated admins stay admins when the service applies an empty Crm:Admins at its start.
        Assert.Contains(await db.Members.AsNoTracking().ToListAsync(), m => m.Role == MemberRole.Admin
            && m.AdminGrant != AdminGrant.Config);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}

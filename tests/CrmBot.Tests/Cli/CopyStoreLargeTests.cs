using CrmBot.Bench;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Fakes.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `copy-store` on the benchmark's generated store (100,000 contacts, 1,000,000 activities):
/// every table arrives whole, and rows from the start, middle and end of the big tables read back the same.
/// </summary>
public sealed class CopyStoreLargeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-copy-large-").FullName;

    [Fact]
    public async Task TheGeneratedStore_IsCopiedWhole_WithEqualCountsAndRowsThatReadBackTheSame()
    {
        var path = Path.Combine(_dir, "store.db");
        // The benchmark store's contacts and activities; a tenth of its follow-ups keeps the test's time down.
        var size = new StoreSize(FollowUps: 100_000);
        Assert.Equal((100_000, 1_000_000), (size.Contacts, size.Activities));
        await StoreGenerator.GenerateAsync(path, size, _ => { }, CancellationToken.None);
        var target = await PostgresCluster.Shared.CreateDatabaseAsync();

        var copy = await CrmBotProcess.RunAsync(path, _dir, ["copy-store", "--to", target]);

        Assert.True(copy.Exit == 0, copy.All);
        Assert.Matches(@"(?m)^Contacts\s+100,000\s+100,000\s*$", copy.Out.Replace("\r", ""));
        Assert.Matches(@"(?m)^Activities\s+1,000,000\s+1,000,000\s*$", copy.Out.Replace("\r", ""));
        await using var sqlite = CopyStoreCommandTests.Sqlite(path);
        await using var pg = CopyStoreCommandTests.Postgres(target);
        foreach (var entity in pg.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            Assert.True(await CountAsync(sqlite, table) == await CountAsync(pg, table), table);
        }
        Assert.Equal(size.Contacts, await pg.Contacts.CountAsync());
        Assert.Equal(size.Activities, await pg.Activities.CountAsync());

        int[] contacts = [1, size.Contacts / 2, size.Contacts];
        int[] activities = [1, size.Activities / 3, size.Activities];
        int[] members = [1, size.Members];
        var contact = pg.Model.FindEntityType(typeof(Contact))!;
        var activity = pg.Model.FindEntityType(typeof(Activity))!;
        var member = pg.Model.FindEntityType(typeof(Member))!;
        var followUp = pg.Model.FindEntityType(typeof(FollowUp))!;
        Assert.Equal(3, CopyStoreCommandTests.Rows(contact, pg.Contacts.Where(c => contacts.Contains(c.Id))).Count);
        Assert.Equal(CopyStoreCommandTests.Rows(contact, sqlite.Contacts.Where(c => contacts.Contains(c.Id))),
            CopyStoreCommandTests.Rows(contact, pg.Contacts.Where(c => contacts.Contains(c.Id))));
        Assert.Equal(CopyStoreCommandTests.Rows(activity, sqlite.Activities.Where(a => activities.Contains(a.Id))),
            CopyStoreCommandTests.Rows(activity, pg.Activities.Where(a => activities.Contains(a.Id))));
        Assert.Equal(CopyStoreCommandTests.Rows(member, sqlite.Members.Where(m => members.Contains(m.Id))),
            CopyStoreCommandTests.Rows(member, pg.Members.Where(m => members.Contains(m.Id))));
        Assert.Equal(CopyStoreCommandTests.Rows(followUp, sqlite.FollowUps.Where(f => activities.Contains(f.Id))),
            CopyStoreCommandTests.Rows(followUp, pg.FollowUps.Where(f => activities.Contains(f.Id))));
        // What the service asks on every "log call": a member's contacts by folded name, answered the same on both.
        var owner = await sqlite.Contacts.Where(c => c.Id == size.Contacts / 2).Select(c => c.OwnerId).SingleAsync();
        Assert.Equal(
            await sqlite.Contacts.Where(c => c.OwnerId == owner).OrderBy(c => c.SearchName).ThenBy(c => c.Id).Select(c => c.Id).ToListAsync(),
            await pg.Contacts.Where(c => c.OwnerId == owner).OrderBy(c => c.SearchName).ThenBy(c => c.Id).Select(c => c.Id).ToListAsync());
    }

    private static async Task<long> CountAsync(CrmDbContext db, string table)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM \"{table}\"";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

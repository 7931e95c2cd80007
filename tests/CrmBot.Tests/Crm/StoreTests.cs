using CrmBot.Crm;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm;

public sealed class StoreTests : IDisposable
{
    // A store file of this test's own, for the tests that need one on disk (xunit makes an instance per test).
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crmbot-{Guid.NewGuid():N}.db");

    private DbContextOptions<CrmDbContext> FileOptions =>
        (DbContextOptions<CrmDbContext>)CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), $"Data Source={_path}").Options;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    [Fact]
    public async Task Migrate_OnNewFile_CreatesSchemaInWalModeWithForeignKeys()
    {
        await using var db = new CrmDbContext(FileOptions);
        await new StoreMigrator(db).MigrateAsync();
        Assert.Equal("wal", await Scalar(db, "PRAGMA journal_mode;"));
        Assert.Equal(StoreMigrator.PageSize.ToString(), await Scalar(db, "PRAGMA page_size;"));
        Assert.Equal("1", await Scalar(db, "PRAGMA foreign_keys;"));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());

        // Foreign keys are enforced: an activity for a contact that does not exist is refused.
        db.Activities.Add(new Activity { Channel = "terminal", ContactId = 999, LoggedById = 999 });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task Migrate_OnAStoreWithOtherPages_KeepsThemAndMigrates()
    {
        // A store made before the page size was chosen (SQLite's default, 4 KiB), already in WAL mode.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE \"Before\" (\"Id\" INTEGER PRIMARY KEY);";
            await cmd.ExecuteNonQueryAsync();
        }
        await using var db = new CrmDbContext(FileOptions);
        await new StoreMigrator(db).MigrateAsync();

        Assert.Equal("4096", await Scalar(db, "PRAGMA page_size;"));
        Assert.Equal("wal", await Scalar(db, "PRAGMA journal_mode;"));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal("0", await Scalar(db, "SELECT COUNT(*) FROM \"Before\";"));
    }

    [Fact]
    public async Task PooledConnection_ReusedByTheNextContext_KeepsItsSettings()
    {
        await using (var db = new CrmDbContext(FileOptions)) await new StoreMigrator(db).MigrateAsync();

        object? firstHandle = null;
        for (var i = 0; i < 2; i++)
        {
            await using var db = new CrmDbContext(FileOptions);
            Assert.Equal("1", await Scalar(db, "PRAGMA foreign_keys;"));
            Assert.Equal("1", await Scalar(db, "PRAGMA synchronous;"));   // NORMAL
            Assert.Equal("10000", await Scalar(db, "PRAGMA busy_timeout;"));
            Assert.Equal("1", await Scalar(db, "PRAGMA secure_delete;"));
            var handle = ((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection()).Handle;
            // The settings are applied once per native connection; the second context gets the same one from the pool.
            if (i == 0) firstHandle = handle;
            else Assert.Same(firstHandle, handle);
        }
    }

    [Fact]
    public async Task DateTimes_ComeBackAsUtc()
    {
        using var store = new TestStore();
        var at = new DateTime(2026, 11, 22, 23, 30, 0, DateTimeKind.Utc);
        await using (var db = store.NewContext())
        {
            db.Members.Add(new Member { Channel = "terminal", TenantId = "t", UserId = "u", DisplayName = "U", CreatedAt = at });
            await db.SaveChangesAsync();
        }
        await using (var db = store.NewContext())
        {
            var m = await db.Members.SingleAsync();
            Assert.Equal(DateTimeKind.Utc, m.CreatedAt.Kind);
            Assert.Equal(at, m.CreatedAt);
        }
    }

    [Fact]
    public async Task Migrate_OnACurrentStore_ChangesNothing_ButRepairsAMissingSearchTrigger()
    {
        // A current store skips EF's Migrate() (cold start); anything less than current must not.
        using var store = new TestStore();
        await using var db = store.NewContext();
        var before = await Scalar(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master ORDER BY name);");
        await new StoreMigrator(db).MigrateAsync();
        Assert.Equal(before, await Scalar(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master ORDER BY name);"));

        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER Contacts_ContactSearch_insert;");
        await new StoreMigrator(db).MigrateAsync();
        Assert.Equal("1", await Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'Contacts_ContactSearch_insert';"));
    }

    [Fact]
    public async Task Migrate_OnAStoreFromBeforeTheWordVocabulary_CreatesAndFillsIt()
    {
        // A store written before ContactWords existed is otherwise current: the quick check must not call it done.
        using var store = new TestStore();
        await using var db = store.NewContext();
        await db.Database.ExecuteSqlRawAsync("""
            DROP TABLE ContactWords; DROP TABLE ContactWordKeys;
            DROP TRIGGER IF EXISTS Contacts_ContactWords_insert; DROP TRIGGER IF EXISTS Contacts_ContactWords_delete; DROP TRIGGER IF EXISTS Contacts_ContactWords_update;
            INSERT INTO Contacts (FirstName, LastName, SearchName, CreatedAt, UpdatedAt) VALUES ('Henrik', 'Valberg', 'henrik valberg', '2026-11-22 09:00:00', '2026-11-22 09:00:00');
            """);

        await new StoreMigrator(db).MigrateAsync();

        Assert.Equal("henrik,valberg", await Scalar(db, "SELECT group_concat(Word, ',') FROM (SELECT Word FROM ContactWords ORDER BY Word);"));
        Assert.Equal("3", await Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'Contacts_ContactWords_%';"));
    }

    [Fact]
    public async Task Migrate_WhenAMigrationIsNotRecorded_RunsEfMigrations()
    {
        using var store = new TestStore();
        await using var db = store.NewContext();
        // As if the store predated the last migration: EF must apply it (here it fails, the tables exist),
        // rather than the quick check calling the store current.
        await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsHistory\";");
        await Assert.ThrowsAnyAsync<Exception>(() => new StoreMigrator(db).MigrateAsync());
    }

    private static async Task<string> Scalar(CrmDbContext db, string sql)
    {
        var c = db.Database.GetDbConnection();
        if (c.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(await cmd.ExecuteScalarAsync())!;
    }
}

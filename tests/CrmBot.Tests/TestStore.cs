using CrmBot.Crm;
using CrmBot.Fakes.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests;

/// <summary>
/// A real store migrated like production: by default SQLite in memory, kept alive by one open connection;
/// with <see cref="StoreProvider.Postgres"/> a fresh database of the test process's PostgreSQL cluster, copied
/// from a template migrated once. Each <see cref="NewContext"/> is a fresh unit of work on the same data, as a
/// new turn would be.
/// </summary>
public sealed class TestStore : IDisposable
{
    private const string MigratedTemplate = "teststore_migrated";

    private readonly SqliteConnection? _connection;
    private readonly StoreConnection? _postgres;

    // One public constructor: xunit makes class fixtures of it.
    public TestStore() : this(StoreProvider.Sqlite) { }

    public static TestStore Create(StoreProvider provider) => new(provider);

    private TestStore(StoreProvider provider)
    {
        Provider = provider;
        if (provider == StoreProvider.Postgres)
        {
            _postgres = new StoreConnection(provider, CreatePostgresDatabaseAsync().GetAwaiter().GetResult());
            return;
        }
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        using var db = NewContext();
        // The same path as production, so the search indexes exist too.
        new StoreMigrator(db).MigrateAsync().GetAwaiter().GetResult();
    }

    public StoreProvider Provider { get; }

    /// <summary>Where the store is, as <c>ConnectionStrings:Crm</c> would say (PostgreSQL only; SQLite's lives in the open connection).</summary>
    public string? ConnectionString => _postgres?.ConnectionString;

    public DbContextOptions<CrmDbContext> Options
    {
        get
        {
            var builder = new DbContextOptionsBuilder<CrmDbContext>();
            if (_postgres is not null)
                CrmServiceCollectionExtensions.ConfigureStore(builder, _postgres).UseModel(CrmServiceCollectionExtensions.CompiledModelOf(StoreProvider.Postgres));
            else
                CrmServiceCollectionExtensions.ConfigureStore(builder, _connection!);
            return builder.Options;
        }
    }

    public CrmDbContext NewContext() => new(Options);

    /// <summary>A unit of work whose own stamps (audit times) come from the given clock.</summary>
    public CrmDbContext NewContext(TimeProvider clock) => new(Options, clock);

    public void Dispose() => _connection?.Dispose();

    // Migrating takes seconds on PostgreSQL; copying the migrated template takes milliseconds.
    private static async Task<string> CreatePostgresDatabaseAsync()
    {
        await PostgresCluster.Shared.CreateTemplateAsync(MigratedTemplate, async connectionString =>
        {
            var builder = new DbContextOptionsBuilder<CrmDbContext>();
            CrmServiceCollectionExtensions.ConfigureStore(builder, new StoreConnection(StoreProvider.Postgres, connectionString))
                .UseModel(CrmServiceCollectionExtensions.CompiledModelOf(StoreProvider.Postgres));
            await using var db = new CrmDbContext(builder.Options);
            await new StoreMigrator(db).MigrateAsync();
        });
        return await PostgresCluster.Shared.CreateDatabaseAsync(MigratedTemplate);
    }
}

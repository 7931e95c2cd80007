using CrmBot.Crm;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests;

/// <summary>
/// A real SQLite store in memory, kept alive by one open connection and migrated like production.
/// Each <see cref="NewContext"/> is a fresh unit of work on the same data, as a new turn would be.
/// </summary>
public sealed class TestStore : IDisposable
{
    private readonly SqliteConnection _connection;

    public TestStore()
    {
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        using var db = NewContext();
        // The same path as production, so the search indexes exist too.
        new StoreMigrator(db).MigrateAsync().GetAwaiter().GetResult();
    }

    public DbContextOptions<CrmDbContext> Options
    {
        get
        {
            var builder = new DbContextOptionsBuilder<CrmDbContext>();
            CrmServiceCollectionExtensions.ConfigureStore(builder, _connection);
            return builder.Options;
        }
    }

    public CrmDbContext NewContext() => new(Options);

    /// <summary>A unit of work whose own stamps (audit times) come from the given clock.</summary>
    public CrmDbContext NewContext(TimeProvider clock) => new(Options, clock);

    public void Dispose() => _connection.Dispose();
}

using CrmBot.Crm;
using CrmBot.Fakes.Postgres;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>Fresh PostgreSQL stores for the tests: copies of one database migrated once per test process.</summary>
public static class PostgresStores
{
    private const string Template = "crmbot_migrated";

    /// <summary>The connection string of a new, migrated, empty store on the shared test cluster.</summary>
    public static async Task<string> NewAsync()
    {
        var cluster = PostgresCluster.Shared;
        await cluster.CreateTemplateAsync(Template, async connectionString =>
        {
            await using var db = CrmBotFactory.OpenStore(StoreProvider.Postgres, connectionString);
            await new StoreMigrator(db).MigrateAsync();
        });
        return await cluster.CreateDatabaseAsync(Template);
    }
}

using CrmBot.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CrmBot.Crm.Postgres;

/// <summary>
/// Lets `dotnet ef` (eng/regen-migration.sh postgres) build the context for PostgreSQL without a server: nothing
/// connects; the connection string only says which engine.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, new StoreConnection(StoreProvider.Postgres, "Host=127.0.0.1;Database=crmbot_design"),
            compiledModel: false);
        return new CrmDbContext(builder.Options);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CrmBot.Crm;

/// <summary>Lets `dotnet ef migrations add` build the context without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, "Data Source=design.db");
        return new CrmDbContext(builder.Options);
    }
}

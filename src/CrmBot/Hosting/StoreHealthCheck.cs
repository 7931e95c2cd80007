using CrmBot.Crm;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmBot.Hosting;

internal sealed class StoreHealthCheck(StoreMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ok, detail) = await migrator.CheckAsync(cancellationToken);
        return ok ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Unhealthy(detail);
    }
}

namespace CrmBot.Proactive;

/// <summary>Runs a planning pass (morning digests, then weekly ones) every minute, the first one a minute after start (the store is migrated by then).</summary>
internal sealed class DigestPlannerService(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DigestPlannerService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await Task.Delay(Interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DigestPlanner>().PlanDueAsync(stoppingToken);
                await scope.ServiceProvider.GetRequiredService<WeeklyDigestPlanner>().PlanDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.DigestPassFailed(ex);
            }
        }
    }
}

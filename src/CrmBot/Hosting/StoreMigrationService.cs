using CrmBot.Crm;

namespace CrmBot.Hosting;

/// <summary>
/// Applies migrations before the server takes requests. A hosted service rather than code after
/// Build() so the test host (which never runs past Build) gets a migrated store too.
/// </summary>
internal sealed class StoreMigrationService(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

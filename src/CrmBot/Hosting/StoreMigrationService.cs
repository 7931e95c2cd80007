using CrmBot.Crm;
using CrmBot.Crm.Services;

namespace CrmBot.Hosting;

/// <summary>
/// Applies migrations, then Crm:Admins to every member, before the server takes requests: a list edited between two
/// starts takes effect for members who exist already, not only for new ones. A hosted service rather than code after
/// Build() so the test host (which never runs past Build) gets a migrated store too.
/// </summary>
internal sealed class StoreMigrationService(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<MemberService>().ApplyConfiguredAdminsAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

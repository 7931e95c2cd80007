using System.CommandLine;
using CrmBot.Crm;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade the store (the service also does this at start-up).");
        command.SetAction(async (_, ct) =>
        {
            using var host = CliHost.Create();
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(ct);
            Console.WriteLine("Store is up to date.");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using CrmBot.Crm;
using CrmBot.Crm.Services;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Cli;

internal static class SeedDemoCommand
{
    public static Command Create()
    {
        var command = new Command("seed-demo",
            "Fill an empty store with a demo workspace (companies, contacts, deals, activities, follow-ups) for the terminal user.");
        command.SetAction(async (_, ct) =>
        {
            using var host = CliHost.Create();
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(ct);
            var seeded = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(ct);
            var user = MemberService.TerminalIdentity().UserId;
            Console.WriteLine(seeded
                ? $"Demo workspace created; its deals and follow-ups are assigned to '{user}' (channel terminal)."
                : "The store already has data; nothing was seeded.");
            return 0;
        });
        return command;
    }
}

using CrmBot.Hosting;

namespace CrmBot.Cli;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var app = CrmBotApp.Build(args);
        await app.RunAsync(ct);
        return 0;
    }
}

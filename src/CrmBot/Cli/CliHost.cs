using CrmBot.Crm;
using CrmBot.Crm.Surveys;
using CrmBot.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CrmBot.Cli;

/// <summary>
/// The services a verb needs (store, engine and every chat command), configured exactly as the service is
/// (appsettings.json, environment, user secrets), without the web server.
/// </summary>
internal static class CliHost
{
    public static IHost Create(Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppFolder.ContentRoot,
        });
        // A verb's stdout is its output (a chat, a report, JSON another program parses), so the log goes to
        // stderr and only from Warning up. The service's Logging:LogLevel (Information in the shipped
        // appsettings.json) would otherwise win over a minimum level, so its rules are dropped for verbs.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.PostConfigure<LoggerFilterOptions>(o =>
        {
            o.Rules.Clear();
            o.MinLevel = LogLevel.Warning;
        });
        // The same commands as in Teams and Slack; what they queue is sent by the running service.
        builder.Services.AddCrmBotCore(builder.Configuration);
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        AppFolder.WarnAboutUnreadSettings(host.Services);
        return host;
    }

    /// <summary>
    /// A verb's run in a scope of its own: the store must exist (the service creates it; a verb never makes an empty
    /// one), and a verb that writes brings its schema up to date first, as the service would.
    /// </summary>
    public static async Task<int> RunAsync(bool writes, Func<IServiceProvider, Task<int>> run, CancellationToken ct)
    {
        using var host = Create();
        if (MissingStore(host) is { } missing)
        {
            Console.Error.WriteLine(missing);
            return 1;
        }
        await using var scope = host.Services.CreateAsyncScope();
        if (writes) await scope.ServiceProvider.GetRequiredService<StoreMigrator>().MigrateAsync(ct);
        return await run(scope.ServiceProvider);
    }

    /// <summary>
    /// Why a verb cannot run, or null when the store is there. SQLite would otherwise create an empty file on first
    /// open and the verb would fail on a missing table. (A missing PostgreSQL database is refused by the server.)
    /// </summary>
    public static string? MissingStore(IHost host) =>
        host.Services.GetRequiredService<StoreLocation>() is { FilePath: { } file } && !File.Exists(file)
            ? $"There is no store at {file}. Check ConnectionStrings:Crm, or run `migrate` to create one."
            : null;
}

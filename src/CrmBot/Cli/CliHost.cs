using CrmBot.Crm;
using CrmBot.Conversations;
using CrmBot.Conversations.Surveys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrmBot.Cli;

/// <summary>
/// The services a verb needs (store, engine), configured exactly as the service is
/// (appsettings.json, environment, user secrets), without the web server.
/// </summary>
internal static class CliHost
{
    public static IHost Create(Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        // Verbs write to the terminal; keep the log to warnings so output stays readable.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCrm(builder.Configuration);
        builder.Services.AddConversations(builder.Configuration);
        builder.Services.AddSurveyChat();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}

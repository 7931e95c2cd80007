using CrmBot.Crm;
using CrmBot.Conversations;
using CrmBot.Conversations.Surveys;
using CrmBot.Proactive;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        // Verbs write to the terminal; keep the log to warnings so output stays readable.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCrm(builder.Configuration);
        builder.Services.AddConversations(builder.Configuration);
        // The same commands as in Teams and Slack; what they queue is sent by the running service.
        builder.Services.AddProactiveMessages(builder.Configuration);
        builder.Services.AddSurveyChat();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}

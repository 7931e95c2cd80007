using CrmBot.Proactive;
using Microsoft.Extensions.DependencyInjection.Extensions;
using CrmBot.Conversations.Pipeline;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace CrmBot.Channels.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>The Bot Framework channel: inbound authentication, the adapter, the Connector client.</summary>
    public static IServiceCollection AddTeams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BotOptions>().Bind(configuration.GetSection(BotOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddHttpClient(nameof(BotFrameworkAuthentication));
        services.AddHttpClient(nameof(BotTokenProvider));
        services.AddSingleton<BotFrameworkAuthentication>();
        services.AddSingleton<BotTokenProvider>();

        services.AddHttpClient<ConnectorClient>()
            .AddResilienceHandler("connector", (pipeline, context) =>
            {
                var delay = context.ServiceProvider.GetRequiredService<IOptions<BotOptions>>().Value.ConnectorRetryDelay;
                // One overall deadline and no per-attempt timeout: a POST that times out is not retried.
                pipeline.AddTimeout(TimeSpan.FromSeconds(60));
                pipeline.AddRetry(new HttpRetryStrategyOptions().Also(r => ConnectorClient.ConfigureRetry(r, delay)));
            });

        services.AddSingleton<TeamsAdapter>();
        services.AddScoped<TeamsSender>();
        services.TryAddSingleton<ReplyOutbox>();
        services.AddSingleton<IRedoableChannel>(sp => sp.GetRequiredService<TeamsAdapter>());
        services.AddScoped<TeamsInstallations>();
        services.AddSingleton<TeamsEmailLookup>();
        services.AddHostedService(sp => sp.GetRequiredService<TeamsEmailLookup>());
        return services;
    }

    private static T Also<T>(this T value, Action<T> configure)
    {
        configure(value);
        return value;
    }
}

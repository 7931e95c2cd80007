using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

public static class ProactiveServiceCollectionExtensions
{
    /// <summary>
    /// Proactive messages: the outbox dispatcher and its channel senders, the digest planner, the
    /// stage-change hook, the `digest` / `notify` / `outbox` commands and the "outbox" health entry.
    /// Needs AddCrm, AddConversations, AddTeams and AddSlack.
    /// </summary>
    public static IServiceCollection AddProactive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrmOptions>, NotificationChannelValidator>();

        services.AddScoped<OutboxLeases>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddScoped<IProactiveSender, TeamsProactiveSender>();
        services.AddScoped<IProactiveSender, SlackProactiveSender>();
        services.AddSingleton<ProactiveCards>();
        services.AddScoped<DigestPlanner>();
        services.AddScoped<IStageChangeHook, StageChangeNotifier>();
        services.AddChatFeature<ProactiveFeature>();

        services.AddHostedService<OutboxDispatcherService>();
        services.AddHostedService<DigestPlannerService>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox");
        return services;
    }
}

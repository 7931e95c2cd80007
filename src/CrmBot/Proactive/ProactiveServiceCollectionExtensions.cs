using CrmBot.Channels.Slack;
using CrmBot.Channels.Teams;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

public static class ProactiveServiceCollectionExtensions
{
    /// <summary>
    /// Proactive sending, in the service only: the outbox dispatcher and its channel senders, the digest
    /// planners and the "outbox" health entry. What queues the messages is <see cref="AddProactiveMessages"/>
    /// (part of AddCrmBotCore). Needs AddCrmBotCore, AddTeams and AddSlack.
    /// </summary>
    public static IServiceCollection AddProactiveDelivery(this IServiceCollection services)
    {
        services.AddSingleton<OutboxDispatcher>();
        services.AddScoped<IProactiveSender, TeamsProactiveSender>();
        services.AddScoped<IProactiveSender, SlackProactiveSender>();
        // A turn's reply its channel could not deliver at the time is sent from the outbox by that channel's sender.
        services.AddScoped<IStoredReplySender>(sp => sp.GetRequiredService<TeamsSender>());
        services.AddScoped<IStoredReplySender>(sp => sp.GetRequiredService<SlackSender>());
        services.AddScoped<DigestPlanner>();
        services.AddScoped<WeeklyDigestPlanner>();

        services.AddHostedService<OutboxDispatcherService>();
        services.AddHostedService<DigestPlannerService>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox");
        return services;
    }

    /// <summary>
    /// What every process that changes the CRM needs, the terminal chat included: the stage-change
    /// hook (so a move made anywhere is announced: its outbox row is sent by the running service),
    /// the `digest` / `notify` / `outbox` commands and the outbox itself. Nothing here sends.
    /// </summary>
    public static IServiceCollection AddProactiveMessages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrmOptions>, NotificationChannelValidator>();

        services.AddScoped<OutboxLeases>();
        services.AddSingleton<ProactiveCards>();
        services.AddScoped<IStageChangeHook, StageChangeNotifier>();
        services.AddChatFeature<ProactiveFeature>();
        return services;
    }
}

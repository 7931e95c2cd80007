using CrmBot.Conversations;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm;
using CrmBot.Proactive;

namespace CrmBot.Hosting;

/// <summary>What the service and every CLI verb share, registered in one place so the two cannot drift.</summary>
public static class CrmBotCoreServices
{
    /// <summary>
    /// The store and the CRM services, the engine with every chat command (the survey and proactive ones
    /// included) and the outbox they queue to. Nothing here listens or sends: the service adds its channels,
    /// store sessions and background workers (<see cref="CrmBotApp"/>).
    /// </summary>
    public static IServiceCollection AddCrmBotCore(this IServiceCollection services, IConfiguration configuration) => services
        .AddCrm(configuration)
        .AddConversations(configuration)
        .AddSurveyChat()
        .AddProactiveMessages(configuration);
}

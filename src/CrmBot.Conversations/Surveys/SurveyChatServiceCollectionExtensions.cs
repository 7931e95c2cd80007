using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Conversations.Surveys;

public static class SurveyChatServiceCollectionExtensions
{
    /// <summary>The survey, adoption and role commands (the store side comes with AddCrm).</summary>
    public static IServiceCollection AddSurveyChat(this IServiceCollection services)
    {
        services.AddScoped<SurveyDelivery>();
        services.AddChatFeature<SurveyFeature>();
        services.AddChatFeature<AdoptionFeature>();
        services.AddChatFeature<RolesFeature>();
        return services;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

public static class SurveysServiceCollectionExtensions
{
    /// <summary>Anonymous surveys and adoption metrics over the store.</summary>
    internal static IServiceCollection AddSurveys(this IServiceCollection services, IConfiguration configuration, StoreLocation store)
    {
        services.AddOptions<FeedbackOptions>().Bind(configuration.GetSection(FeedbackOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MinimumGroupOptions>().Bind(configuration.GetSection(MinimumGroupOptions.Section)).ValidateDataAnnotations();
        services.AddSingleton(store);
        services.AddSingleton<IValidateOptions<FeedbackOptions>, FeedbackOptionsValidator>();
        services.AddSingleton<ParticipationKeys>();
        services.AddScoped<SurveyService>();
        services.AddScoped<AdoptionService>();
        return services;
    }
}

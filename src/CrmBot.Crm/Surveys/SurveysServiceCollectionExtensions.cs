using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

public static class SurveysServiceCollectionExtensions
{
    /// <summary>Anonymous surveys and adoption metrics over the store.</summary>
    public static IServiceCollection AddSurveys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FeedbackOptions>().Bind(configuration.GetSection(FeedbackOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        var connectionString = configuration.GetConnectionString("Crm") ?? CrmServiceCollectionExtensions.DefaultConnectionString;
        services.AddSingleton(StoreLocation.FromConnectionString(connectionString));
        services.AddSingleton<IValidateOptions<FeedbackOptions>, FeedbackOptionsValidator>();
        services.AddSingleton<ParticipationKeys>();
        services.AddScoped<SurveyService>();
        services.AddScoped<AdoptionService>();
        return services;
    }
}

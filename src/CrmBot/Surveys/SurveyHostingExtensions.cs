namespace CrmBot.Surveys;

public static class SurveyHostingExtensions
{
    /// <summary>The service's survey reminder planner; the survey commands come with AddCrmBotCore.</summary>
    public static IServiceCollection AddSurveyReminders(this IServiceCollection services) =>
        services.AddHostedService<SurveyReminderService>();
}

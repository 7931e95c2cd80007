using CrmBot.Conversations.Surveys;

namespace CrmBot.Surveys;

/// <summary>
/// Plans each open survey's one reminder when its day comes. Planning is idempotent (the survey
/// remembers it, the outbox dedupes), so every instance may run this.
/// </summary>
internal sealed partial class SurveyReminderService(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SurveyReminderService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SurveyDelivery>().PlanDueRemindersAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Only ids and store errors can be in here: planning reads no answers.
                PlanningFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Error, Message = "Planning survey reminders failed; retrying at the next interval")]
    private static partial void PlanningFailed(ILogger logger, Exception exception);
}

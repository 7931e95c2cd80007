using Microsoft.Extensions.Logging;

namespace CrmBot.Conversations.Surveys;

/// <summary>What the survey commands log: ids and counts, never an answer.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Survey {SurveyId}: {Count} invitations queued")]
    public static partial void InvitationsQueued(ILogger logger, int surveyId, int count);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Survey {SurveyId}: {Count} reminders queued")]
    public static partial void RemindersQueued(ILogger logger, int surveyId, int count);
}

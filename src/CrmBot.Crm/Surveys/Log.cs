using Microsoft.Extensions.Logging;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// Everything the survey code logs. Ids and counts only: no answer, no member next to a survey
/// response, no question text from a response path.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Survey {SurveyId} created with {QuestionCount} questions")]
    public static partial void SurveyCreated(ILogger logger, int surveyId, int questionCount);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Survey {SurveyId} {Action}")]
    public static partial void SurveyStatusChanged(ILogger logger, int surveyId, string action);

    // No line says "a response was stored": its time, next to the request log of the same moment, would date
    // each answer for whoever reads the logs. Event 7003 is not reused.

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Survey {SurveyId}: a second answer was refused")]
    public static partial void SecondAnswerRefused(ILogger logger, int surveyId);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "Generated the survey participation key at {Path}; back it up, apart from the store's backups")]
    public static partial void ParticipationKeyCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "The store is in memory, so the survey participation key is too; it is lost on restart")]
    public static partial void EphemeralParticipationKey(ILogger logger);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Member {MemberId} was refused survey action {Action}: not an admin")]
    public static partial void NotAllowed(ILogger logger, int memberId, string action);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Information, Message = "Survey {SurveyId}: results released for {Responses} responses")]
    public static partial void ResultsReleased(ILogger logger, int surveyId, int responses);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Error, Message = "Survey {SurveyId}: {Count} sealed answers cannot be opened with the current participation key (was the key changed?); they stay sealed and are not counted")]
    public static partial void UnreadableSealedAnswers(ILogger logger, int surveyId, int count);
}

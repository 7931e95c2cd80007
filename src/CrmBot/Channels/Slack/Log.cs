namespace CrmBot.Channels.Slack;

internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning,
        Message = "Slack request refused: no Slack:SigningSecret is configured, so no request can be verified")]
    public static partial void NoSigningSecret(ILogger logger);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Slack request to {Path} refused: bad or missing signature")]
    public static partial void BadSignature(ILogger logger, string path);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Slack request to {Path} refused: {Reason}")]
    public static partial void BadRequest(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "Slack work queue is full; refused {Kind} {Id} (Slack will retry events)")]
    public static partial void QueueFull(ILogger logger, string kind, string id);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Slack Web API {Method} failed: {Error}")]
    public static partial void ApiFailed(ILogger logger, string method, string error);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Slack event {EventId} already processed (retry {RetryNum}); skipped")]
    public static partial void DuplicateEvent(ILogger logger, string eventId, string? retryNum);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "users.info for {UserId} failed: {Error}; continuing without time zone and email")]
    public static partial void UserLookupFailed(ILogger logger, string userId, string error);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Slack reply for {TurnId} could not be delivered: {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string turnId, string error);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Slack modal submission {TurnId} outlasted the 3-second window; the answer is posted instead")]
    public static partial void SubmissionLate(ILogger logger, string turnId);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Slack button {ActionId} points to parked data {ParkedId} that has expired")]
    public static partial void ParkedExpired(ILogger logger, string actionId, string parkedId);

    // No ids and no reason: the reply belongs to a survey answer's turn, which leaves no trace of who answered when.
    [LoggerMessage(EventId = 5017, Level = LogLevel.Warning, Message = "Slack reply lost: Slack did not take it, and a survey answer's reply is not kept to be sent later")]
    public static partial void ReplyLost(ILogger logger);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Warning, Message = "Slack request to {Path} refused (413): the body is larger than Slack:MaxRequestBytes ({Limit} bytes)")]
    public static partial void TooLarge(ILogger logger, string path, int limit);
}

namespace CrmBot.Channels.Teams;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "Bot:MicrosoftAppId is not set: POST /api/messages accepts UNAUTHENTICATED requests. Local testing only; never expose this endpoint.")]
    public static partial void AuthenticationDisabled(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Teams request refused (401): {Reason}")]
    public static partial void Unauthorized(ILogger logger, string? reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "Reply could not be delivered through the Connector: {Reason}")]
    public static partial void ReplyFailed(ILogger logger, string reason);

    // No ids and no reason: the reply belongs to a survey answer's turn, which leaves no trace of who answered when.
    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Reply lost: the Connector did not take it, and a survey answer's reply is not kept to be sent later")]
    public static partial void ReplyLost(ILogger logger);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Activity from channel {ChannelId} refused: not in Bot:Channels")]
    public static partial void ChannelNotServed(ILogger logger, string? channelId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Teams activity refused (400): {Reason}")]
    public static partial void Malformed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Teams request refused (413): the body is larger than Bot:MaxRequestBytes ({Limit} bytes)")]
    public static partial void TooLarge(ILogger logger, int limit);
}

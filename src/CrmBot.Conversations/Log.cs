using Microsoft.Extensions.Logging;

namespace CrmBot.Conversations;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Turn {TurnId} on {Channel} failed; answered with an apology, flow state kept")]
    public static partial void TurnFailed(this ILogger logger, Exception exception, string turnId, string channel);

    [LoggerMessage(2, LogLevel.Warning, "Turn {TurnId}: the flow of conversation {ConversationId} changed on another instance; this turn's flow change was dropped")]
    public static partial void FlowConflict(this ILogger logger, string turnId, string conversationId);

    [LoggerMessage(3, LogLevel.Information, "Turn {TurnId}: flow {Dialog} idle since {UpdatedAt:o}, starting fresh")]
    public static partial void FlowExpired(this ILogger logger, string turnId, string dialog, DateTime updatedAt);

    [LoggerMessage(4, LogLevel.Warning, "Turn {TurnId}: card verb {Verb} has no handler")]
    public static partial void UnknownVerb(this ILogger logger, string turnId, string verb);
}

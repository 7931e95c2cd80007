using Microsoft.Extensions.Logging;

namespace CrmBot.Conversations.Pipeline;

internal static partial class Log
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "{Channel} redelivered {DeliveryId}; already processed")]
    public static partial void Redelivery(ILogger logger, string channel, string? deliveryId);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "{Channel} turn {DeliveryId} still running after {Window}; acknowledged, continuing in the background")]
    public static partial void TurnContinuesInBackground(ILogger logger, string channel, string? deliveryId, TimeSpan window);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "{Channel} turn {DeliveryId} failed")]
    public static partial void TurnFailed(ILogger logger, Exception exception, string channel, string? deliveryId);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "{Channel} turn {DeliveryId} cut short: the service stopped before it finished")]
    public static partial void TurnAbandoned(ILogger logger, string channel, string? deliveryId);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "{Channel} {Kind} {Id} acknowledged earlier and not finished; redoing it")]
    public static partial void WorkRecovered(ILogger logger, string channel, string kind, string id);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Error, Message = "{Channel} delivery {Id} given up after {Attempts} attempts")]
    public static partial void WorkGivenUp(ILogger logger, string channel, string id, int attempts);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Error, Message = "Recovery sweep failed; trying again at the next one")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Error, Message = "{Channel} {Id}: outcome not stored; it will be redone when its lease expires")]
    public static partial void SettleFailed(ILogger logger, Exception exception, string channel, string id);
}

using Microsoft.Extensions.Logging;

namespace CrmBot.Crm.Services;

/// <summary>What the CRM services say in the log. Ids only: names, notes and emails stay out.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "New member {MemberId} on {Channel} as {Role}")]
    public static partial void MemberCreated(this ILogger logger, int memberId, string channel, Model.MemberRole role);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Member {MemberId} role {OldRole} -> {NewRole} by member {ActorId}")]
    public static partial void RoleChanged(this ILogger logger, int memberId, Model.MemberRole oldRole, Model.MemberRole newRole, int actorId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Deal {DealId} moved {FromStage} -> {ToStage} by member {ActorId}")]
    public static partial void DealMoved(this ILogger logger, int dealId, string fromStage, string toStage, int actorId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Member {ActorId} undid activity {ActivityId}")]
    public static partial void ActivityUndone(this ILogger logger, int actorId, int activityId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Unknown time zone {TimeZone} for member {MemberId}; keeping {Kept}")]
    public static partial void UnknownTimeZone(this ILogger logger, string timeZone, int memberId, string kept);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Demo workspace seeded for member {MemberId}")]
    public static partial void DemoSeeded(this ILogger logger, int memberId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Background WAL checkpoint failed (SQLite error {ErrorCode}/{ExtendedErrorCode})")]
    public static partial void CheckpointFailed(this ILogger logger, int errorCode, int extendedErrorCode);
}

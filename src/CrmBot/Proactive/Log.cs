using Microsoft.Extensions.Logging;

namespace CrmBot.Proactive;

/// <summary>Proactive messaging log lines. Never log payloads: they carry customer names and notes.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox row {Id} ({Kind}, {Channel}) sent on attempt {Attempt}")]
    public static partial void Sent(this ILogger logger, long id, string kind, string channel, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox row {Id} ({Kind}, {Channel}) attempt {Attempt} failed, retrying in {Delay}: {Error}")]
    public static partial void WillRetry(this ILogger logger, long id, string kind, string channel, int attempt, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {Id} ({Kind}, {Channel}) failed for good after {Attempt} attempt(s): {Error}")]
    public static partial void GaveUp(this ILogger logger, long id, string kind, string channel, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox row {Id} is being sent again after a dispatcher stopped mid-flight (attempt {Attempt}); if that dispatcher's POST had reached the platform, the recipient sees it twice")]
    public static partial void ResendInDoubt(this ILogger logger, long id, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {Id}: lease lost before its outcome ({Outcome}) was recorded; another dispatcher owns it now")]
    public static partial void LeaseLost(this ILogger logger, long id, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch pass failed; will try again")]
    public static partial void DispatchPassFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {Id}: send threw unexpectedly")]
    public static partial void SendThrew(this ILogger logger, long id, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Channel} reply was not delivered ({Error}); kept in the outbox to be sent later")]
    public static partial void ReplyKept(this ILogger logger, string channel, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Channel} reply was not delivered ({Error}) and could not be kept in the outbox: it is lost")]
    public static partial void ReplyNotKept(this ILogger logger, string channel, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Digest for member {MemberId} planned for {LocalDate} ({Items} follow-up(s), {Changes} stage change(s))")]
    public static partial void DigestPlanned(this ILogger logger, int memberId, string localDate, int items, int changes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly digest for member {MemberId} planned for {LocalMonday} ({Scope})")]
    public static partial void WeeklyDigestPlanned(this ILogger logger, int memberId, string localMonday, string scope);

    [LoggerMessage(Level = LogLevel.Error, Message = "Digest planning pass failed; will try again")]
    public static partial void DigestPassFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {MemberId} has an unknown time zone {TimeZone}; using UTC")]
    public static partial void UnknownTimeZone(this ILogger logger, int memberId, string timeZone);
}

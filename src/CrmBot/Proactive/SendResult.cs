using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;

namespace CrmBot.Proactive;

/// <summary>Sends one outbox row on one platform. One implementation per channel ("msteams", "slack").</summary>
public interface IProactiveSender
{
    string Channel { get; }

    /// <summary>
    /// Posts the message once. Never retries a POST itself: the dispatcher decides, and records
    /// the attempt, so a retry is never blind.
    /// </summary>
    Task<SendResult> SendAsync(OutboxMessage message, ProactivePayload payload, CancellationToken ct);
}

/// <summary>
/// Sends an outbox row of kind <see cref="OutboxKinds.Reply"/>: a turn's reply its channel could not deliver at
/// the time. The payload is the channel's own (address and messages); one implementation per channel, its sender.
/// </summary>
public interface IStoredReplySender
{
    string Channel { get; }

    /// <summary>Sends what is left of the reply, in order, once; a failure part-way says what is still left.</summary>
    Task<SendResult> SendStoredReplyAsync(string payloadJson, CancellationToken ct);
}

/// <summary>What a send attempt came to.</summary>
public abstract record SendResult
{
    public static SendResult Delivered { get; } = new DeliveredResult();

    /// <summary>
    /// Worth another try later: throttled, server error, timeout. <paramref name="remainingPayloadJson"/>: what is
    /// left to send when part of the row went out (the rest of a reply), to be tried instead of the whole.
    /// </summary>
    public static SendResult Transient(string error, TimeSpan? retryAfter = null, string? remainingPayloadJson = null) =>
        new TransientResult(error, retryAfter, remainingPayloadJson);

    /// <summary>Will not get better by waiting: unknown target, bot removed, bad payload.</summary>
    public static SendResult Permanent(string error) => new PermanentResult(error);

    /// <summary>
    /// The common HTTP reading of a failed call: 429, 408, 412 (Teams throttling) and 5xx are worth another try later
    /// (with Retry-After honoured); anything else will not get better by waiting.
    /// </summary>
    public static bool IsTransientStatus(int status) => status is 429 or 408 or 412 or >= 500;

    public static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        // The HTTP-date form is read against the server's own Date header, so our clock's skew
        // does not matter; without one we fall back to our own backoff.
        if (header?.Date is { } until && response.Headers.Date is { } serverNow)
            return until > serverNow ? until - serverNow : TimeSpan.Zero;
        return null;
    }
}

public sealed record DeliveredResult : SendResult;
public sealed record TransientResult(string Error, TimeSpan? RetryAfter, string? RemainingPayloadJson = null) : SendResult;
public sealed record PermanentResult(string Error) : SendResult;

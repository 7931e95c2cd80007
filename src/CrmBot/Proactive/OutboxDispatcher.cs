using System.Text.Json;
using CrmBot.Crm;
using CrmBot.Crm.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Sends due outbox rows: claim with a lease, send once through the channel's sender, record
/// the outcome. One pass is <see cref="DispatchDueAsync"/>; <see cref="OutboxDispatcherService"/>
/// runs passes in the background.
/// </summary>
/// <remarks>
/// Delivery guarantees, precisely:
/// <list type="bullet">
/// <item>Two dispatchers (instances) on one store never both send a row: the claim is a
/// conditional UPDATE that only one can win, and a send never outlives its lease
/// (<see cref="OutboxOptions.SendTimeout"/> ≤ half the lease).</item>
/// <item>A dispatcher that dies after claiming but before sending leaves the row leased; once
/// the lease expires, the next pass (this instance after restart, or another) claims and sends it
/// once.</item>
/// <item>A graceful stop does not abort an in-flight send: the send runs on its own timeout, not
/// on the host's stopping token, so its outcome is recorded before the process exits.</item>
/// <item>The one window we cannot close: the process dies after the platform accepted the POST
/// and before the row is marked Sent (milliseconds: the time to read the response and run one
/// UPDATE), or a send times out after the platform had in fact accepted it. Neither the Bot
/// Connector nor Slack's chat.postMessage takes an idempotency key, and we cannot ask either
/// whether a message was already posted, so the row is sent again when its lease expires: the
/// recipient may see that one message twice. We choose this (at-least-once) over silently losing
/// a digest or a notification, and log the re-send as "in doubt".</item>
/// </list>
/// </remarks>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger)
{
    private readonly OutboxOptions _options = options.Value;

    /// <summary>Identifies this dispatcher in lease owners (host name + a per-process id).</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>One pass: claims up to a batch of due rows and sends them. Returns how many it claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var leases = scope.ServiceProvider.GetRequiredService<OutboxLeases>();
        // A fresh owner per pass: a lease we let expire can never be mistaken for a newer one of ours.
        var owner = $"{InstanceId}/{Guid.NewGuid():N}";
        var claims = await leases.ClaimDueAsync(owner, _options.BatchSize, _options.Lease, ct);
        if (claims.Count == 0) return 0;

        var senders = scope.ServiceProvider.GetServices<IProactiveSender>().ToDictionary(s => s.Channel, StringComparer.OrdinalIgnoreCase);
        var replies = scope.ServiceProvider.GetServices<IStoredReplySender>().ToDictionary(s => s.Channel, StringComparer.OrdinalIgnoreCase);
        foreach (var claim in claims)
        {
            var result = await SendAsync(claim, senders, replies);
            // Recording runs even when the host is stopping: an outcome we know must not be dropped.
            await RecordAsync(leases, claim, result);
        }
        return claims.Count;
    }

    /// <summary>Deletes finished rows older than <see cref="OutboxOptions.Retention"/>; Failed and waiting rows stay.</summary>
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var cutoff = clock.GetUtcNow().UtcDateTime - _options.Retention;
        return await db.Outbox
            .Where(m => (m.Status == OutboxStatus.Sent || m.Status == OutboxStatus.Folded || m.Status == OutboxStatus.Skipped) && m.SentAt < cutoff)
            .ExecuteDeleteAsync(ct);
    }

    private async Task<SendResult> SendAsync(ClaimedMessage claim, IReadOnlyDictionary<string, IProactiveSender> senders,
        IReadOnlyDictionary<string, IStoredReplySender> replies)
    {
        var row = claim.Message;
        Func<CancellationToken, Task<SendResult>> send;
        if (row.Kind == OutboxKinds.Reply)
        {
            // A reply already has its address and messages: the channel's sender sends it as the turn would have.
            if (!replies.TryGetValue(row.Channel, out var replySender))
                return SendResult.Permanent($"no sender for channel '{row.Channel}' (is it configured?)");
            send = token => replySender.SendStoredReplyAsync(row.PayloadJson, token);
        }
        else
        {
            if (!senders.TryGetValue(row.Channel, out var sender))
                return SendResult.Permanent($"no sender for channel '{row.Channel}' (is it configured?)");
            ProactivePayload payload;
            try { payload = ProactivePayload.FromJson(row.PayloadJson); }
            catch (JsonException ex) { return SendResult.Permanent($"unreadable payload: {ex.Message}"); }
            send = token => sender.SendAsync(row, payload, token);
        }

        // A row claimed before by someone who never reported back: the earlier attempt may or may not have posted.
        if (claim.PreviousClaimAbandoned) logger.ResendInDoubt(row.Id, row.Attempts);

        using var timeout = new CancellationTokenSource(_options.SendTimeout, clock);
        try
        {
            return await send(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Our send timeout or the HTTP client's own: the host's stopping token never reaches a send.
            return SendResult.Transient($"timed out (the platform may have accepted it){(timeout.IsCancellationRequested ? $" after {_options.SendTimeout.TotalSeconds:0}s" : "")}");
        }
        catch (HttpRequestException ex)
        {
            return SendResult.Transient($"{ex.GetType().Name}: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Unknown failures are retried within the give-up window rather than dropped.
            logger.SendThrew(row.Id, ex);
            return SendResult.Transient($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task RecordAsync(OutboxLeases leases, ClaimedMessage claim, SendResult result)
    {
        var row = claim.Message;
        result = Redacted(row, result);
        switch (result)
        {
            case DeliveredResult:
                if (await leases.MarkSentAsync(claim, CancellationToken.None)) logger.Sent(row.Id, row.Kind, row.Channel, row.Attempts);
                else logger.LeaseLost(row.Id, "sent");
                break;

            case TransientResult transient:
                var now = clock.GetUtcNow().UtcDateTime;
                var delay = RetryDelay(row.Attempts, transient.RetryAfter);
                var firstAttempt = row.FirstAttemptAt ?? now;
                if (now + delay - firstAttempt > _options.GiveUpAfter)
                {
                    var error = $"gave up after {row.Attempts} attempt(s) over {Format(now - firstAttempt)}: {transient.Error}";
                    if (await leases.MarkFailedAsync(claim, error, CancellationToken.None)) logger.GaveUp(row.Id, row.Kind, row.Channel, row.Attempts, error);
                    else logger.LeaseLost(row.Id, "failed");
                }
                else if (await leases.RetryLaterAsync(claim, now + delay, transient.Error, CancellationToken.None, transient.RemainingPayloadJson))
                    logger.WillRetry(row.Id, row.Kind, row.Channel, row.Attempts, delay, transient.Error);
                else logger.LeaseLost(row.Id, "retry");
                break;

            case PermanentResult permanent:
                if (await leases.MarkFailedAsync(claim, permanent.Error, CancellationToken.None)) logger.GaveUp(row.Id, row.Kind, row.Channel, row.Attempts, permanent.Error);
                else logger.LeaseLost(row.Id, "failed");
                break;
        }
    }

    /// <summary>
    /// A send error can name its recipient ("the app must be installed before it can message …"):
    /// for a row the store forgets once done (a survey reminder), neither the log nor the row keeps it.
    /// </summary>
    private static SendResult Redacted(OutboxMessage row, SendResult result)
    {
        if (!OutboxKinds.ForgottenOnceDone(row.Kind)) return result;
        var withheld = $"details withheld: a {row.Kind} error can name its recipient";
        return result switch
        {
            TransientResult transient => transient with { Error = withheld },
            PermanentResult => SendResult.Permanent(withheld),
            _ => result,
        };
    }

    /// <summary>
    /// Exponential backoff with "equal jitter" (half fixed, half random) so instances that failed
    /// together do not retry together; a server's Retry-After is a floor we never undercut.
    /// </summary>
    internal TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = TimeSpan.FromTicks((long)Math.Min(_options.RetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks * Math.Pow(2, exponent)));
        var backoff = ceiling / 2 + ceiling / 2 * Random.Shared.NextDouble();
        return retryAfter is { } floor && floor > backoff ? floor + floor / 10 * Random.Shared.NextDouble() : backoff;
    }

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";
}

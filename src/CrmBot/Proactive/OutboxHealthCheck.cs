using CrmBot.Crm.Outbox;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmBot.Proactive;

/// <summary>/healthz entry "outbox": degraded while any message has failed for good (until an admin retries it).</summary>
internal sealed class OutboxHealthCheck(OutboxLeases outbox, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var summary = await outbox.SummaryAsync(1, cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["pending"] = summary.Pending,
            ["failed"] = summary.Failed,
            ["held"] = summary.Held,
            ["sentLastDay"] = summary.SentLastDay,
        };
        if (summary.OldestDueAt is { } oldest)
            data["oldestPendingSeconds"] = Math.Max(0, (long)(clock.GetUtcNow().UtcDateTime - oldest).TotalSeconds);
        if (summary.Failed == 0) return HealthCheckResult.Healthy("ok", data);

        var last = summary.RecentFailures[0];
        data["lastError"] = $"#{last.Id} {last.Kind} via {last.Channel}: {last.LastError}";
        return HealthCheckResult.Degraded($"{summary.Failed} message(s) failed; see the `outbox` command", data: data);
    }
}

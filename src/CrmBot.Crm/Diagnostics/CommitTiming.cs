using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmBot.Crm.Diagnostics;

/// <summary>
/// Times every commit of a <see cref="CrmDbContext"/> as the <see cref="CrmBotTelemetry.Stages.Commit"/> stage, from
/// just before the COMMIT (so the writes that ride along with it are inside) to its end. Registered before
/// <see cref="DeferredWrites.Interceptor"/> so that its writes fall inside the span.
/// </summary>
internal sealed class CommitTiming : DbTransactionInterceptor
{
    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Start(eventData);
        return result;
    }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Start(eventData);
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Stop(eventData);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(eventData);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Stop(eventData);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(eventData);
        return Task.CompletedTask;
    }

    private static void Start(TransactionEventData data)
    {
        if (data.Context is CrmDbContext db) db.CommitTiming = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Commit);
    }

    private static void Stop(TransactionEventData data)
    {
        if (data.Context is not CrmDbContext db) return;
        var timing = db.CommitTiming;
        db.CommitTiming = default;
        timing.Dispose();
    }
}

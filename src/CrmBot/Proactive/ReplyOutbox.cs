using CrmBot.Crm;
using CrmBot.Crm.Outbox;

namespace CrmBot.Proactive;

/// <summary>
/// Where a channel's sender puts a turn's reply that still failed after its client's retries: an outbox row of
/// kind <see cref="OutboxKinds.Reply"/>, which the dispatcher later sends through the same sender, once. The turn's
/// own writes are committed by then, so the row is written on its own, in a scope of its own.
/// </summary>
public sealed class ReplyOutbox(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReplyOutbox> logger)
{
    /// <param name="conversation">The conversation the reply goes to (for the `outbox` command).</param>
    /// <param name="payloadJson">The channel's own address and messages.</param>
    /// <param name="failure">Why it was not delivered: its error and what the platform asked us to wait.</param>
    public async Task KeepAsync(string channel, string conversation, string payloadJson, TransientResult failure)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var notBefore = clock.GetUtcNow().UtcDateTime + (failure.RetryAfter ?? TimeSpan.Zero);
            ProactiveOutbox.Add(db, ProactiveAddress.ToConversation(channel, conversation), OutboxKinds.Reply, payloadJson, clock, notBefore: notBefore);
            // Not the turn's token: the reply of a committed turn must not be lost because its request went away.
            await db.SaveChangesAsync(CancellationToken.None);
            logger.ReplyKept(channel, failure.Error);
        }
        catch (Exception ex)
        {
            // The turn is done and committed; a failing store must not make its channel run it again.
            logger.ReplyNotKept(channel, failure.Error, ex);
        }
    }
}

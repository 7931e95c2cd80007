using CrmBot.Crm;

namespace CrmBot.Conversations.Pipeline;

/// <summary>
/// The engine as a channel calls it inside the <see cref="TurnPipeline"/> (one per turn, scoped): the replies come
/// back once the turn's writes and its delivery record are committed, so no reply is sent for work a crash could
/// still undo, and a redone turn never writes twice.
/// </summary>
public sealed class PipelineBot(IBot bot, CrmDbContext db)
{
    public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken ct)
    {
        var replies = await bot.OnTurnAsync(turn, ct);
        await DeferredWrites.CommitAsync(db, ct);
        return replies;
    }
}

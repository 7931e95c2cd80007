using CrmBot.Conversations;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>Plays a process dying mid-turn: the turn starts and never completes (it hangs until the instance is torn down).</summary>
public sealed class HangingBot : IBot
{
    public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
    {
        Called.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }
}

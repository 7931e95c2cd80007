using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>Runs dispatch passes until the host stops.</summary>
internal sealed class OutboxDispatcherService(OutboxDispatcher dispatcher, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxDispatcherService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Pruning is a housekeeping chore: once at start, then hourly, not on every poll.
        var nextPrune = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                if (clock.GetUtcNow() >= nextPrune)
                {
                    nextPrune = clock.GetUtcNow().AddHours(1);
                    await dispatcher.PruneAsync(stoppingToken);
                }
                claimed = await dispatcher.DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.DispatchPassFailed(ex);
            }
            // A full batch means there is probably more waiting: go again at once.
            if (claimed < options.Value.BatchSize)
            {
                try { await Task.Delay(options.Value.PollInterval, clock, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}

using CrmBot.Conversations.Pipeline;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>
/// Works the queue with a few parallel workers, each item a turn of the <see cref="TurnPipeline"/>, as Teams' are:
/// in the turn's slot, scope and unit of work the request is read (<see cref="SlackActivities"/>) and the engine
/// runs; its replies go out (<see cref="SlackDelivery"/>) after the slot is given back. On shutdown the queue is
/// closed and what was acknowledged is still worked off (within the host's shutdown timeout); what is not is left
/// for the next start, which takes it over at once.
/// </summary>
internal sealed class SlackWorker(SlackWorkQueue queue, TurnPipeline pipeline, IOptions<SlackOptions> options) : IHostedService
{
    private readonly CancellationTokenSource _abort = new();
    private Task[] _workers = [];
    private int _stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _workers = Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (WebApplicationFactory: on StopAsync and again on dispose).
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        queue.Complete();
        // Past the host's shutdown timeout, work waiting for a slot is given up (the pipeline cuts running turns short).
        await using (cancellationToken.Register(_abort.Cancel))
            await Task.WhenAll(_workers);
        _abort.Dispose();
    }

    private async Task WorkAsync()
    {
        await foreach (var work in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await pipeline.RunAsync(work.Inbound,
                    async (services, ct) =>
                    {
                        var inbound = await services.GetRequiredService<SlackActivities>().ReadAsync(work, ct);
                        return inbound?.Turn is { } turn
                            ? inbound with { Replies = await services.GetRequiredService<PipelineBot>().OnTurnAsync(turn, ct) }
                            : inbound;
                    },
                    (services, outcome, ct) => outcome.Value is { } turn
                        ? services.GetRequiredService<SlackDelivery>().DeliverAsync(work, turn, ct)
                        : Task.FromResult(false),
                    acknowledgeAfter: null, mayContinueInBackground: false, _abort.Token);
            }
            catch (Exception)
            {
                // Logged, and its stored delivery closed or freed, by the pipeline.
            }
            finally
            {
                // A modal waiting for its answer gets an empty one when there is none (a redelivery, a failed turn).
                work.Answer?.TrySetResult(null);
            }
        }
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>One piece of work acknowledged to Slack and still to be done.</summary>
/// <param name="Kind">"event", "command", … for the log.</param>
/// <param name="Id">The delivery (event id, trigger id) for the log.</param>
internal sealed record SlackWork(string Kind, string Id, Func<SlackInbox, CancellationToken, Task> RunAsync);

/// <summary>
/// Slack wants an answer within 3 seconds, so endpoints acknowledge at once and queue the work here.
/// Bounded: when full, the endpoint refuses (503) instead of acknowledging work it cannot do.
/// </summary>
internal sealed class SlackWorkQueue(IOptions<SlackOptions> options)
{
    private readonly Channel<SlackWork> _channel = Channel.CreateBounded<SlackWork>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleWriter = false, SingleReader = false });

    public bool TryEnqueue(SlackWork work) => _channel.Writer.TryWrite(work);

    internal ChannelReader<SlackWork> Reader => _channel.Reader;

    internal void Complete() => _channel.Writer.TryComplete();
}

/// <summary>
/// Works the queue with a few parallel workers, each item in its own DI scope (its own DbContext).
/// On shutdown the queue is closed and what was acknowledged is still worked off (within the host's
/// shutdown timeout).
/// </summary>
internal sealed class SlackWorker(SlackWorkQueue queue, IServiceScopeFactory scopes, IOptions<SlackOptions> options,
    ILogger<SlackWorker> logger) : IHostedService
{
    private readonly CancellationTokenSource _abort = new();
    private Task[] _workers = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _workers = Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        // Past the host's shutdown timeout, work still running is cancelled (and logged as abandoned).
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
                await using var scope = scopes.CreateAsyncScope();
                await work.RunAsync(scope.ServiceProvider.GetRequiredService<SlackInbox>(), _abort.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_abort.IsCancellationRequested)
            {
                Log.WorkFailed(logger, ex, work.Kind, work.Id);
            }
            catch (OperationCanceledException)
            {
                Log.WorkAbandoned(logger, work.Kind, work.Id);
            }
        }
    }
}

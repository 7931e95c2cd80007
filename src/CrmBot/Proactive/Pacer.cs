namespace CrmBot.Proactive;

/// <summary>
/// Keeps a long background pass to a share of the core, so chat turns stay quick while it runs. After
/// each item: once the pass has run for <paramref name="slice"/> since it last rested, it rests for
/// <paramref name="rest"/> (on the given clock); otherwise it only yields, letting queued turns in.
/// Wall time stands in for CPU time: a pass that is sharing the core already runs slower, and rests
/// sooner.
/// </summary>
internal sealed class Pacer(TimeProvider clock, TimeSpan slice, TimeSpan rest)
{
    private long _sliceStart = clock.GetTimestamp();

    public async ValueTask BetweenItemsAsync(CancellationToken ct)
    {
        if (clock.GetElapsedTime(_sliceStart) < slice)
        {
            // SQLite's async calls complete synchronously, so without this a pass would hold its
            // thread-pool thread from start to end.
            await Task.Yield();
            return;
        }
        await Task.Delay(rest, clock, ct);
        _sliceStart = clock.GetTimestamp();
    }
}

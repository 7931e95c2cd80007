using CrmBot.Proactive;

namespace CrmBot.Tests.Proactive;

/// <summary>
/// A clock for pacing: time moves only when the test moves it, and every timer asked for is recorded
/// and fires at once (so a rest costs the test nothing).
/// </summary>
internal sealed class PacingClock : TimeProvider
{
    private long _ticks;
    private readonly List<TimeSpan> _rests = [];

    public IReadOnlyList<TimeSpan> Rests { get { lock (_rests) return [.. _rests]; } }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_rests) _rests.Add(dueTime);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new Fired();
    }

    private sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public class PacerTests
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Rest = TimeSpan.FromMilliseconds(40);

    [Fact]
    public async Task WithinTheSlice_OnlyYields()
    {
        var clock = new PacingClock();
        var pacer = new Pacer(clock, Slice, Rest);

        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(3));
            await pacer.BetweenItemsAsync(default);
        }

        Assert.Empty(clock.Rests);   // 15 ms of work: under the slice
    }

    [Fact]
    public async Task PastTheSlice_RestsOnce_ThenStartsANewSlice()
    {
        var clock = new PacingClock();
        var pacer = new Pacer(clock, Slice, Rest);

        clock.Advance(TimeSpan.FromMilliseconds(25));
        await pacer.BetweenItemsAsync(default);
        Assert.Equal([Rest], clock.Rests);

        clock.Advance(TimeSpan.FromMilliseconds(10));
        await pacer.BetweenItemsAsync(default);
        Assert.Single(clock.Rests);   // the slice began again after the rest

        clock.Advance(TimeSpan.FromMilliseconds(10));
        await pacer.BetweenItemsAsync(default);
        Assert.Equal([Rest, Rest], clock.Rests);
    }

    [Fact]
    public async Task Cancelled_DuringARest_Throws()
    {
        // Shutdown must not wait out a rest.
        var pacer = new Pacer(TimeProvider.System, TimeSpan.Zero, TimeSpan.FromHours(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pacer.BetweenItemsAsync(cts.Token).AsTask());
    }
}

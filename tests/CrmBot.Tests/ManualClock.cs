namespace CrmBot.Tests;

/// <summary>A clock that only moves when the test says so. Timers (timeouts) still run on real time.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    private readonly Lock _gate = new();

    public ManualClock() : this(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }

    public void Set(DateTimeOffset to)
    {
        lock (_gate) _now = to;
    }
}

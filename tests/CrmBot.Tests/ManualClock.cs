namespace CrmBot.Tests;

/// <summary>A clock that stands still until a test moves it. Time zones come from the real machine.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public ManualClock() : this(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero)) { }

    public DateTimeOffset Now { get; private set; } = now.ToUniversalTime();

    public override DateTimeOffset GetUtcNow() => Now;

    public void Set(DateTimeOffset now) => Now = now.ToUniversalTime();

    public void Advance(TimeSpan by) => Now += by;
}

using CrmBot.Crm;

namespace CrmBot.Tests.Crm;

public class InboundDeliveriesTests
{
    [Fact]
    public async Task TryBegin_SameDeliveryTwice_OnlyFirstWins_EvenFromAnotherContext()
    {
        using var store = new TestStore();
        await using var a = store.NewContext();
        await using var b = store.NewContext();

        Assert.True(await new InboundDeliveries(a, TimeProvider.System).TryBeginAsync("msteams", "conv|1"));
        Assert.False(await new InboundDeliveries(b, TimeProvider.System).TryBeginAsync("msteams", "conv|1"));
        Assert.True(await new InboundDeliveries(b, TimeProvider.System).TryBeginAsync("slack", "conv|1"));
    }

    [Fact]
    public async Task Forget_LetsTheRetryThrough()
    {
        using var store = new TestStore();
        await using var db = store.NewContext();
        var deliveries = new InboundDeliveries(db, TimeProvider.System);

        Assert.True(await deliveries.TryBeginAsync("slack", "Ev1"));
        await deliveries.ForgetAsync("slack", "Ev1");
        Assert.True(await deliveries.TryBeginAsync("slack", "Ev1"));
    }

    [Fact]
    public async Task Prune_DropsOnlyIdsOlderThanTheWindow_SoTimestampsRoundTrip()
    {
        using var store = new TestStore();
        await using var db = store.NewContext();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        var deliveries = new InboundDeliveries(db, clock);
        Assert.True(await deliveries.TryBeginAsync("msteams", "old"));
        clock.Advance(TimeSpan.FromHours(2));
        Assert.True(await deliveries.TryBeginAsync("msteams", "new"));

        Assert.Equal(1, await deliveries.PruneAsync(TimeSpan.FromHours(1)));

        var left = db.ProcessedInbound.Select(p => p.DeliveryId).ToList();
        Assert.Equal(["new"], left);
        Assert.Equal(new DateTime(2026, 11, 22, 11, 0, 0, DateTimeKind.Utc), db.ProcessedInbound.Single().ReceivedAt);
    }
}

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
}

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

    [Fact]
    public async Task Claim_TakesOnlyWorkWhoseLeaseExpired_AndOnlyOneInstanceWinsIt()
    {
        using var store = new TestStore();
        await using var a = store.NewContext();
        await using var b = store.NewContext();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        var lease = TimeSpan.FromMinutes(10);
        var instanceA = new InboundDeliveries(a, clock);
        var instanceB = new InboundDeliveries(b, clock);

        Assert.True(await instanceA.TryAcceptAsync("slack", "cmd:1", "command", "{}", "A", lease));
        Assert.False(await instanceB.TryAcceptAsync("slack", "cmd:1", "command", "{}", "B", lease));
        Assert.Empty((await instanceB.ClaimPendingAsync("slack", "B", 10, lease, 3)).Claimed);   // A still holds it

        clock.Advance(lease + TimeSpan.FromSeconds(1));   // A died
        var claimed = Assert.Single((await instanceB.ClaimPendingAsync("slack", "B", 10, lease, 3)).Claimed);
        Assert.Equal(("cmd:1", "command", "{}"), (claimed.DeliveryId, claimed.Kind, claimed.PayloadJson));
        Assert.Empty((await instanceA.ClaimPendingAsync("slack", "A", 10, lease, 3)).Claimed);   // B holds it now

        await instanceB.CompleteAsync("slack", "cmd:1");
        clock.Advance(lease * 2);
        Assert.Empty((await instanceA.ClaimPendingAsync("slack", "A", 10, lease, 3)).Claimed);
        Assert.Null(a.ProcessedInbound.Single().PayloadJson);
    }

    [Fact]
    public async Task Claim_GivesUpWorkTriedTooOften_AndPruneKeepsWorkStillPending()
    {
        using var store = new TestStore();
        await using var db = store.NewContext();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        var deliveries = new InboundDeliveries(db, clock);
        Assert.True(await deliveries.TryAcceptAsync("slack", "poison", "command", "{}", "A", TimeSpan.FromMinutes(1)));
        Assert.True(await deliveries.TryAcceptAsync("slack", "pending", "event", "{}", "A", TimeSpan.FromMinutes(1)));
        await deliveries.ReleaseAsync("slack", "poison", "A");
        Assert.Equal(["poison"], (await deliveries.ClaimPendingAsync("slack", "A", 10, TimeSpan.FromMinutes(1), 2)).Claimed.Select(c => c.DeliveryId));
        await deliveries.ReleaseAsync("slack", "poison", "A");

        var claim = await deliveries.ClaimPendingAsync("slack", "A", 10, TimeSpan.FromMinutes(1), 2);
        Assert.Equal(["poison"], claim.GivenUp);
        Assert.Empty(claim.Claimed);

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await deliveries.PruneAsync(TimeSpan.FromDays(1)));   // the given-up one; "pending" stays
        Assert.Equal(["pending"], db.ProcessedInbound.Select(p => p.DeliveryId).ToList());
    }

    [Fact]
    public async Task DoneMark_RecordsANewDelivery_CompletesOurStoredOne_AndFailsTheCommitForAnotherInstancesOrADoneOne()
    {
        using var store = new TestStore();
        var lease = TimeSpan.FromMinutes(10);
        await using (var setup = store.NewContext())
        {
            var deliveries = new InboundDeliveries(setup, TimeProvider.System);
            Assert.True(await deliveries.TryAcceptAsync("slack", "ours", "command", "{}", "host/A", lease));
            Assert.True(await deliveries.TryAcceptAsync("slack", "theirs", "command", "{}", "host/B", lease));
        }

        async Task<bool> CommitsAsync(string id)
        {
            await using var db = store.NewContext();
            DeferredWrites.Begin(db);
            new InboundDeliveries(db, TimeProvider.System).DeferDoneMark("slack", id, "host/A");
            try
            {
                await DeferredWrites.CommitAsync(db, CancellationToken.None);
                return true;
            }
            catch (DeferredWriteConflictException)
            {
                return false;
            }
        }

        Assert.True(await CommitsAsync("new"));
        Assert.True(await CommitsAsync("ours"));
        Assert.False(await CommitsAsync("theirs"));
        Assert.False(await CommitsAsync("ours"));   // done already: a redelivery
        await using var check = store.NewContext();
        Assert.Equal(["theirs"], check.ProcessedInbound.Where(p => p.PayloadJson != null).Select(p => p.DeliveryId).ToList());
        Assert.Equal("host/B", check.ProcessedInbound.Single(p => p.DeliveryId == "theirs").LeaseOwner);
    }

    [Fact]
    public async Task Claim_WithThisInstancesName_TakesOverItsEarlierProcessesWork_WhateverTheLease_ButNotAnotherInstances()
    {
        using var store = new TestStore();
        await using var db = store.NewContext();
        var lease = TimeSpan.FromMinutes(10);
        var deliveries = new InboundDeliveries(db, TimeProvider.System);
        Assert.True(await deliveries.TryAcceptAsync("slack", "mine", "command", "{}", "host/old", lease));
        Assert.True(await deliveries.TryAcceptAsync("slack", "other", "command", "{}", "hostess/x", lease));

        Assert.Empty((await deliveries.ClaimPendingAsync("slack", "host/new", 10, lease, 3)).Claimed);
        var claimed = Assert.Single((await deliveries.ClaimPendingAsync("slack", "host/new", 10, lease, 3, "host/")).Claimed);
        Assert.Equal("mine", claimed.DeliveryId);
        Assert.Empty((await deliveries.ClaimPendingAsync("slack", "host/new", 10, lease, 3, "host/")).Claimed);   // ours now
    }
}

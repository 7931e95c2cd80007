using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Outbox;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.MultiInstance;

/// <summary>
/// Claims made at the same moment by two instances on PostgreSQL take different rows (FOR UPDATE SKIP LOCKED), and
/// claim the same rows, in the same order, as the per-row path does on SQLite.
/// </summary>
public sealed class PostgresClaimTests
{
    private static CrmDbContext Open(string connectionString) => CrmBotFactory.OpenStore(StoreProvider.Postgres, connectionString);

    [Fact]
    public async Task TwoOutboxClaimsAtOnce_TakeDifferentRows_AllOfThem_OldestFirst()
    {
        var store = await PostgresStores.NewAsync();
        var now = DateTime.UtcNow;
        await using (var db = Open(store))
        {
            for (var i = 0; i < 40; i++)
                ProactiveOutbox.Add(db, ProactiveAddress.ToConversation("slack", "C0CLAIM"), OutboxKinds.StageChange,
                    ProactivePayload.TextOnly($"#{i}"), TimeProvider.System);
            await db.SaveChangesAsync();
            // One row not yet due, one leased to a live dispatcher: neither is claimed.
            await db.Outbox.Where(o => o.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(o => o.NotBefore, now.AddHours(1)));
            await db.Outbox.Where(o => o.Id == 2).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.LeaseOwner, "other/1").SetProperty(o => o.LeaseUntil, now.AddHours(1)));
        }

        await using var a = Open(store);
        await using var b = Open(store);
        var claims = await Task.WhenAll(
            new OutboxLeases(a, TimeProvider.System).ClaimDueAsync("a/1", 19, TimeSpan.FromMinutes(1), default),
            new OutboxLeases(b, TimeProvider.System).ClaimDueAsync("b/1", 19, TimeSpan.FromMinutes(1), default));

        var ids = claims.SelectMany(c => c.Select(m => m.Message.Id)).ToList();
        Assert.Equal(38, ids.Count);
        Assert.Equal(Enumerable.Range(3, 38).Select(i => (long)i), ids.Order());
        Assert.All(claims, c => Assert.Equal(c.Select(m => m.Message.Id).Order(), c.Select(m => m.Message.Id)));
        Assert.All(claims.SelectMany(c => c), m => Assert.Equal((1, false), (m.Message.Attempts, m.PreviousClaimAbandoned)));
    }

    [Fact]
    public async Task TwoStoredWorkClaimsAtOnce_TakeDifferentRows_AndOnlyClaimableOnes()
    {
        var store = await PostgresStores.NewAsync();
        var now = DateTime.UtcNow;
        await using (var db = Open(store))
        {
            for (var i = 0; i < 30; i++)
                db.ProcessedInbound.Add(new ProcessedInbound
                {
                    Channel = "slack", DeliveryId = $"ev{i:D2}", ReceivedAt = now.AddSeconds(-100 + i), Kind = "event", PayloadJson = "{}",
                    Attempts = i == 0 ? 3 : 0,
                    // ev01 is held by a live instance; ev02 by an earlier process of instance "x" (taken over by "x" only).
                    LeaseOwner = i switch { 1 => "y/live", 2 => "x/old", _ => null },
                    LeaseUntil = i is 1 or 2 ? now.AddHours(1) : null,
                });
            db.ProcessedInbound.Add(new ProcessedInbound { Channel = "msteams", DeliveryId = "t1", ReceivedAt = now, Kind = "message", PayloadJson = "{}" });
            await db.SaveChangesAsync();
        }

        await using var a = Open(store);
        await using var b = Open(store);
        var claims = await Task.WhenAll(
            new InboundDeliveries(a, TimeProvider.System).ClaimPendingAsync("slack", "x/new", 20, TimeSpan.FromMinutes(1), 3, "x/"),
            new InboundDeliveries(b, TimeProvider.System).ClaimPendingAsync("slack", "z:1/new", 20, TimeSpan.FromMinutes(1), 3));

        var ids = claims.SelectMany(c => c.Claimed.Select(p => p.DeliveryId)).ToList();
        // ev00 was tried too often (given up), ev01 is leased to a live instance.
        Assert.Equal(Enumerable.Range(2, 28).Select(i => $"ev{i:D2}"), ids.Order(StringComparer.Ordinal));
        Assert.Contains("ev02", claims[0].Claimed.Select(p => p.DeliveryId));
        Assert.All(claims, c => Assert.Equal(c.Claimed.OrderBy(p => p.ReceivedAt).Select(p => p.DeliveryId), c.Claimed.Select(p => p.DeliveryId)));
        await using var check = Open(store);
        Assert.Null((await check.ProcessedInbound.SingleAsync(p => p.DeliveryId == "ev00")).PayloadJson);
        Assert.Equal("y/live", (await check.ProcessedInbound.SingleAsync(p => p.DeliveryId == "ev01")).LeaseOwner);
    }
}

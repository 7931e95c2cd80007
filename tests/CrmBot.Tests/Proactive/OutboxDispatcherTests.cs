using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Proactive;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Proactive;

public sealed class OutboxDispatcherTests : IDisposable
{
    private readonly SharedFileStore _store = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _store.Dispose();

    private static void Quick(OutboxOptions o)
    {
        o.RetryBaseDelay = TimeSpan.FromSeconds(2);
        o.RetryMaxDelay = TimeSpan.FromSeconds(60);
        o.Lease = TimeSpan.FromMinutes(2);
        o.GiveUpAfter = TimeSpan.FromMinutes(10);
    }

    [Fact]
    public async Task Dispatch_ThreeServerErrorsThenSuccess_DeliveredOnceAndMarkedSent()
    {
        var sender = new RecordingSender().ThenFail(3, () => SendResult.Transient("chat.postMessage: HTTP 503"));
        var dispatcher = _store.Instance(_clock, Quick, sender).GetRequiredService<OutboxDispatcher>();
        var id = await _store.EnqueueAsync(_clock);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(1, await dispatcher.DispatchDueAsync(default));
            var row = await _store.RowAsync(id);
            Assert.Equal(OutboxStatus.Pending, row.Status);
            Assert.Contains("503", row.LastError);
            // Not due again before its backoff: an immediate pass claims nothing.
            Assert.Equal(0, await dispatcher.DispatchDueAsync(default));
            _clock.Advance(TimeSpan.FromSeconds(61));
        }

        Assert.Equal(1, await dispatcher.DispatchDueAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(default));

        Assert.Equal([id], sender.Delivered);
        var sent = await _store.RowAsync(id);
        Assert.Equal(OutboxStatus.Sent, sent.Status);
        Assert.Equal(4, sent.Attempts);
        Assert.Null(sent.LastError);
        Assert.Null(sent.LeaseOwner);
    }

    [Fact]
    public async Task Prune_DropsSentRowsAfterTheRetention_KeepsFailedOnes()
    {
        var sender = new RecordingSender().ThenFail(1, () => SendResult.Permanent("chat.postMessage: channel_not_found"));
        var dispatcher = _store.Instance(_clock, o => { Quick(o); o.Retention = TimeSpan.FromDays(30); }, sender).GetRequiredService<OutboxDispatcher>();
        var failed = await _store.EnqueueAsync(_clock);
        await dispatcher.DispatchDueAsync(default);
        var sent = await _store.EnqueueAsync(_clock);
        await dispatcher.DispatchDueAsync(default);
        Assert.Equal(OutboxStatus.Failed, (await _store.RowAsync(failed)).Status);
        Assert.Equal(OutboxStatus.Sent, (await _store.RowAsync(sent)).Status);

        _clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await dispatcher.PruneAsync(default));
        _clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await dispatcher.PruneAsync(default));

        await using var db = _store.NewContext();
        Assert.Equal([failed], db.Outbox.Select(m => m.Id).ToList());
    }

    [Fact]
    public async Task Dispatch_RetryAfter_IsAFloorOnTheNextAttempt()
    {
        var sender = new RecordingSender().ThenFail(1, () => SendResult.Transient("HTTP 429", TimeSpan.FromSeconds(90)));
        var dispatcher = _store.Instance(_clock, Quick, sender).GetRequiredService<OutboxDispatcher>();
        var id = await _store.EnqueueAsync(_clock);

        await dispatcher.DispatchDueAsync(default);
        var row = await _store.RowAsync(id);
        Assert.InRange(row.NotBefore - _clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(99));

        _clock.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(default));
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(default));
        Assert.Equal([id], sender.Delivered);
    }

    [Fact]
    public async Task Dispatch_KeepsFailing_GivesUpAfterTheBoundWithTheErrorVisible()
    {
        var sender = new RecordingSender().ThenFail(1000, () => SendResult.Transient("HTTP 502 Bad Gateway"));
        var dispatcher = _store.Instance(_clock, Quick, sender).GetRequiredService<OutboxDispatcher>();
        var id = await _store.EnqueueAsync(_clock);

        for (var i = 0; i < 100 && (await _store.RowAsync(id)).Status == OutboxStatus.Pending; i++)
        {
            await dispatcher.DispatchDueAsync(default);
            _clock.Advance(TimeSpan.FromSeconds(61));
        }

        var row = await _store.RowAsync(id);
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Contains("gave up", row.LastError);
        Assert.Contains("502", row.LastError);
        Assert.Empty(sender.Delivered);
        // Bounded: the last attempt happened within GiveUpAfter of the first.
        Assert.True(row.SentAt - row.FirstAttemptAt <= TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(61));

        await using var db = _store.NewContext();
        var summary = await new OutboxLeases(db, _clock).SummaryAsync(5, default);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(id, Assert.Single(summary.RecentFailures).Id);
    }

    [Fact]
    public async Task Dispatch_PermanentError_FailsAtOnce()
    {
        var sender = new RecordingSender().ThenFail(1, () => SendResult.Permanent("chat.postMessage: channel_not_found"));
        var dispatcher = _store.Instance(_clock, Quick, sender).GetRequiredService<OutboxDispatcher>();
        var id = await _store.EnqueueAsync(_clock);

        await dispatcher.DispatchDueAsync(default);
        _clock.Advance(TimeSpan.FromHours(1));
        await dispatcher.DispatchDueAsync(default);

        var row = await _store.RowAsync(id);
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Equal(1, row.Attempts);
        Assert.Contains("channel_not_found", row.LastError);
        Assert.Equal(1, sender.Calls);
    }

    [Fact]
    public async Task Dispatch_ChannelWithoutSender_FailsVisiblyAndRequeueSendsItLater()
    {
        var slack = new RecordingSender("slack");
        var dispatcher = _store.Instance(_clock, Quick, slack).GetRequiredService<OutboxDispatcher>();
        var id = await _store.EnqueueAsync(_clock, channel: "msteams", target: "19:abc@thread.tacv2");

        await dispatcher.DispatchDueAsync(default);
        var row = await _store.RowAsync(id);
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Contains("no sender for channel 'msteams'", row.LastError);

        var teams = new RecordingSender("msteams");
        var fixedDispatcher = _store.Instance(_clock, Quick, teams).GetRequiredService<OutboxDispatcher>();
        await using (var db = _store.NewContext()) Assert.Equal(1, await new OutboxLeases(db, _clock).RequeueFailedAsync(default));
        await fixedDispatcher.DispatchDueAsync(default);
        Assert.Equal([id], teams.Delivered);
        Assert.Equal(OutboxStatus.Sent, (await _store.RowAsync(id)).Status);
    }

    [Fact]
    public async Task Dispatch_SendHangs_TimesOutAsRetryableThenDeliveredOnce()
    {
        var sender = new RecordingSender().ThenHang(1);
        var dispatcher = _store.Instance(_clock, o => { Quick(o); o.SendTimeout = TimeSpan.FromMilliseconds(200); }, sender)
            .GetRequiredService<OutboxDispatcher>();
        var id = await _store.EnqueueAsync(_clock);

        await dispatcher.DispatchDueAsync(default);
        var row = await _store.RowAsync(id);
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.Contains("timed out", row.LastError);
        Assert.Null(row.LeaseOwner);

        _clock.Advance(TimeSpan.FromSeconds(61));
        await dispatcher.DispatchDueAsync(default);
        Assert.Equal([id], sender.Delivered);
        Assert.Equal(OutboxStatus.Sent, (await _store.RowAsync(id)).Status);
    }

    [Fact]
    public async Task Restart_DispatcherDiedAfterClaim_NextDispatcherSendsExactlyOnceAfterTheLeaseExpires()
    {
        var id = await _store.EnqueueAsync(_clock);

        // Instance A claims the row, then the process dies before it sends anything.
        await using (var db = _store.NewContext())
        {
            var claims = await new OutboxLeases(db, _clock).ClaimDueAsync("instance-a/dead", 10, TimeSpan.FromMinutes(2), default);
            Assert.Equal(id, Assert.Single(claims).Message.Id);
        }

        // Instance B (the restarted service) leaves it alone while A's lease holds...
        var sender = new RecordingSender();
        var b = _store.Instance(_clock, Quick, sender).GetRequiredService<OutboxDispatcher>();
        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await b.DispatchDueAsync(default));
        Assert.Empty(sender.Delivered);

        // ...then, once it expired, sends it once, and never again.
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await b.DispatchDueAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await b.DispatchDueAsync(default));

        Assert.Equal([id], sender.Delivered);
        var row = await _store.RowAsync(id);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.Equal(2, row.Attempts);
    }

    [Fact]
    public async Task Claim_AbandonedLease_IsReportedAsInDoubt_FreshRowIsNot()
    {
        var abandoned = await _store.EnqueueAsync(_clock);
        await using var db = _store.NewContext();
        var leases = new OutboxLeases(db, _clock);
        await leases.ClaimDueAsync("a", 10, TimeSpan.FromMinutes(1), default);
        var fresh = await _store.EnqueueAsync(_clock);

        _clock.Advance(TimeSpan.FromMinutes(2));
        var claims = await leases.ClaimDueAsync("b", 10, TimeSpan.FromMinutes(1), default);

        Assert.True(claims.Single(c => c.Message.Id == abandoned).PreviousClaimAbandoned);
        Assert.False(claims.Single(c => c.Message.Id == fresh).PreviousClaimAbandoned);
    }

    [Fact]
    public async Task TwoInstancesOnOneStore_EachRowDeliveredOnce()
    {
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await _store.EnqueueAsync(_clock, text: $"m{i}"));

        // Two service instances: separate containers, DbContexts and connections over one file.
        var senderA = new RecordingSender { Pause = TimeSpan.FromMilliseconds(2) };
        var senderB = new RecordingSender { Pause = TimeSpan.FromMilliseconds(2) };
        var a = _store.Instance(_clock, o => { Quick(o); o.BatchSize = 3; }, senderA).GetRequiredService<OutboxDispatcher>();
        var b = _store.Instance(_clock, o => { Quick(o); o.BatchSize = 3; }, senderB).GetRequiredService<OutboxDispatcher>();

        async Task Drain(OutboxDispatcher d)
        {
            while (await d.DispatchDueAsync(default) > 0) { }
        }
        await Task.WhenAll(Task.Run(() => Drain(a)), Task.Run(() => Drain(b)));

        var delivered = senderA.Delivered.Concat(senderB.Delivered).ToList();
        Assert.Equal(ids.Order(), delivered.Order());
        await using var db = _store.NewContext();
        Assert.All(db.Outbox, o => Assert.Equal(OutboxStatus.Sent, o.Status));
    }

    [Fact]
    public async Task Add_DedupeKey_SecondWriterGetsFalseAndNoRow()
    {
        await using var a = _store.NewContext();
        await using var b = _store.NewContext();
        var to = new ProactiveAddress("slack", MemberId: null, Target: "D1");

        Assert.True(await ProactiveOutbox.TryAddOnceAsync(a, to, OutboxKinds.Digest, ProactivePayload.TextOnly("x"), _clock, "digest:1:2026-11-23", default));
        Assert.False(await ProactiveOutbox.TryAddOnceAsync(b, to, OutboxKinds.Digest, ProactivePayload.TextOnly("y"), _clock, "digest:1:2026-11-23", default));

        await using var check = _store.NewContext();
        Assert.Equal("x", ProactivePayload.FromJson(check.Outbox.Single().PayloadJson).Text);
    }
}

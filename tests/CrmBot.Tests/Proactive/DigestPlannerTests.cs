using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Proactive;

public sealed class DigestPlannerTests : IDisposable
{
    // Sunday 22 Nov 2026, 20:00 UTC: before anyone's Monday morning.
    private static readonly DateTimeOffset SundayEvening = new(2026, 11, 22, 20, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Monday = new(2026, 11, 23);

    private readonly SharedFileStore _store = new();
    private readonly ManualClock _clock = new(SundayEvening);
    private readonly ProactiveHost _host;

    public DigestPlannerTests() => _host = new ProactiveHost(_store, _clock);

    public void Dispose()
    {
        _host.Dispose();
        _store.Dispose();
    }

    private async Task<Dictionary<int, OutboxMessage>> DigestsAsync()
    {
        await using var db = _store.NewContext();
        return await db.Outbox.AsNoTracking().Where(o => o.Kind == OutboxKinds.Digest).ToDictionaryAsync(o => o.MemberId!.Value);
    }

    /// <summary><paramref name="count"/> members in UTC, each with a follow-up due Monday, and the clock at Monday 10:00 UTC.</summary>
    private async Task DigestsDueAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var m = await _host.MemberAsync("Rep" + i, "UTC");
            await _host.FollowUpAsync(m, "Task " + i, Monday);
        }
        _clock.Set(Utc(23, 10, 0));
    }

    private static DateTimeOffset Utc(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task ThreeTimeZones_EachGetsTheirDigestAtTheirOwnNine_NotBefore()
    {
        var tokyo = await _host.MemberAsync("Aiko", "Asia/Tokyo");          // 09:00 = 00:00 UTC
        var berlin = await _host.MemberAsync("Bernd", "Europe/Berlin");     // 09:00 = 08:00 UTC
        var newYork = await _host.MemberAsync("Carla", "America/New_York"); // 09:00 = 14:00 UTC
        foreach (var m in new[] { tokyo, berlin, newYork }) await _host.FollowUpAsync(m, "Call " + m.DisplayName, Monday);

        (DateTimeOffset At, int[] Planned)[] steps =
        [
            (Utc(22, 23, 59), []),
            (Utc(23, 0, 0), [tokyo.Id]),
            (Utc(23, 7, 59), [tokyo.Id]),
            (Utc(23, 8, 0), [tokyo.Id, berlin.Id]),
            (Utc(23, 13, 59), [tokyo.Id, berlin.Id]),
            (Utc(23, 14, 0), [tokyo.Id, berlin.Id, newYork.Id]),
            (Utc(23, 20, 0), [tokyo.Id, berlin.Id, newYork.Id]),
        ];
        foreach (var (at, planned) in steps)
        {
            _clock.Set(at);
            await _host.PlanAsync();
            var digests = await DigestsAsync();
            Assert.Equal(planned.Order(), digests.Keys.Order());
        }

        var all = await DigestsAsync();
        Assert.All(all.Values, d => Assert.Equal(OutboxStatus.Pending, d.Status));
        Assert.Equal($"digest:{tokyo.Id}:2026-11-23", all[tokyo.Id].DedupeKey);
        Assert.Equal(Utc(23, 0, 0).UtcDateTime, all[tokyo.Id].NotBefore);
        var payload = ProactivePayload.FromJson(all[berlin.Id].PayloadJson);
        Assert.Contains("1 due today", payload.Text);
        var card = Assert.Single(payload.Cards);
        Assert.Equal("follow-ups", card.Name);
        Assert.Contains("Call Bernd", card.Card.ToJsonString());
        Assert.Contains("followup.done", card.Card.ToJsonString());
    }

    [Fact]
    public async Task Weekend_NoDigest_ThenMondayMorningOne()
    {
        _clock.Set(Utc(27, 12, 0));   // Friday
        var member = await _host.MemberAsync("Dana", "Europe/London");
        await _host.FollowUpAsync(member, "Overdue by Monday", new DateOnly(2026, 11, 27));

        for (var at = Utc(28, 0, 0); at < Utc(30, 0, 0); at = at.AddHours(1))
        {
            _clock.Set(at);
            await _host.PlanAsync();
        }
        Assert.Empty(await DigestsAsync());

        _clock.Set(Utc(30, 9, 0));   // Monday 09:00 London
        await _host.PlanAsync();
        var digest = Assert.Single(await DigestsAsync()).Value;
        Assert.Equal("digest:" + member.Id + ":2026-11-30", digest.DedupeKey);
        Assert.Contains("1 overdue", ProactivePayload.FromJson(digest.PayloadJson).Text);
    }

    [Fact]
    public async Task OptedOut_NoDigest_OptedBackIn_Digest()
    {
        var member = await _host.MemberAsync("Emil", "Europe/Berlin");
        await _host.FollowUpAsync(member, "Send quote", Monday);
        await _host.UpdateMemberAsync(member.Id, m => m.DigestEnabled = false);

        _clock.Set(Utc(23, 10, 0));
        await _host.PlanAsync();
        Assert.Empty(await DigestsAsync());

        await _host.UpdateMemberAsync(member.Id, m => m.DigestEnabled = true);
        await _host.PlanAsync();
        Assert.Single(await DigestsAsync());
    }

    [Fact]
    public async Task OwnDigestTime_IsRespected()
    {
        var early = await _host.MemberAsync("Fritz", "Europe/Berlin");
        await _host.FollowUpAsync(early, "Early call", Monday);
        await _host.UpdateMemberAsync(early.Id, m => m.DigestTime = new TimeOnly(8, 30));

        _clock.Set(Utc(23, 7, 29));   // 08:29 Berlin
        await _host.PlanAsync();
        Assert.Empty(await DigestsAsync());

        _clock.Set(Utc(23, 7, 30));   // 08:30 Berlin
        await _host.PlanAsync();
        Assert.Single(await DigestsAsync());
    }

    [Fact]
    public async Task ConfiguredDigestTime_IsTheDefault()
    {
        using var host = new ProactiveHost(_store, _clock, new Dictionary<string, string?> { ["Crm:DigestTime"] = "07:15" });
        var member = await host.MemberAsync("Gina", "UTC");
        await host.FollowUpAsync(member, "Prep", Monday);

        _clock.Set(Utc(23, 7, 14));
        await host.PlanAsync();
        Assert.Empty(await DigestsAsync());
        _clock.Set(Utc(23, 7, 15));
        await host.PlanAsync();
        Assert.Single(await DigestsAsync());
    }

    [Fact]
    public async Task NothingDue_NoMessage_AndALaterFollowUpDoesNotTriggerALateDigest()
    {
        var member = await _host.MemberAsync("Hans", "UTC");
        _clock.Set(Utc(23, 9, 0));
        await _host.PlanAsync();

        var skipped = Assert.Single(await DigestsAsync()).Value;
        Assert.Equal(OutboxStatus.Skipped, skipped.Status);

        _clock.Set(Utc(23, 11, 0));
        await _host.FollowUpAsync(member, "Added at eleven", Monday);
        await _host.PlanAsync();
        Assert.Equal(OutboxStatus.Skipped, Assert.Single(await DigestsAsync()).Value.Status);

        // Nothing for the dispatcher to send either.
        var sender = new RecordingSender();
        var dispatcher = _store.Instance(_clock, null, sender).GetService(typeof(OutboxDispatcher)) as OutboxDispatcher;
        Assert.Equal(0, await dispatcher!.DispatchDueAsync(default));
    }

    [Fact]
    public async Task CatchUpPass_DoesNotCarryEachMembersRowsIntoTheNext()
    {
        // A start after downtime plans many digests in one pass, on one context: what one member's digest
        // loaded must not stay tracked (every later save would compare it again).
        await DigestsDueAsync(6);

        await using var scope = _host.Scope();
        var db = scope.ServiceProvider.GetRequiredService<CrmBot.Crm.CrmDbContext>();
        var planned = await scope.ServiceProvider.GetRequiredService<DigestPlanner>().PlanDueAsync(default);

        Assert.Equal(6, planned);
        Assert.Empty(db.ChangeTracker.Entries());
        Assert.Equal(6, (await DigestsAsync()).Count);
    }

    [Fact]
    public async Task CatchUpPass_IsPaced_BetweenMembers()
    {
        // Hundreds of digests due at once (a start after downtime) must not take the core from chat turns:
        // the pass checks its pacer after every member, and rests once it has used its slice.
        await DigestsDueAsync(4);
        var pacing = new PacingClock();
        var restEveryMember = new Pacer(pacing, TimeSpan.Zero, TimeSpan.FromMilliseconds(40));

        await using var scope = _host.Scope();
        var planned = await scope.ServiceProvider.GetRequiredService<DigestPlanner>().PlanDueAsync(restEveryMember, default);

        Assert.Equal(4, planned);
        Assert.Equal(4, pacing.Rests.Count);
        Assert.Equal(4, (await DigestsAsync()).Count);
    }

    [Fact]
    public async Task TwoPlannerInstances_PlanEachDigestOnce()
    {
        var members = new List<Member>();
        for (var i = 0; i < 8; i++)
        {
            var m = await _host.MemberAsync("Rep" + i, i % 2 == 0 ? "Europe/Paris" : "UTC");
            await _host.FollowUpAsync(m, "Task " + i, Monday);
            members.Add(m);
        }
        using var other = new ProactiveHost(_store, _clock);

        _clock.Set(Utc(23, 10, 0));
        var counts = await Task.WhenAll(Task.Run(_host.PlanAsync), Task.Run(other.PlanAsync), Task.Run(_host.PlanAsync));
        Assert.Equal(members.Count, counts.Sum());

        // A restart later that day plans nothing new.
        using var restarted = new ProactiveHost(_store, _clock);
        _clock.Set(Utc(23, 16, 0));
        Assert.Equal(0, await restarted.PlanAsync());

        await using var db = _store.NewContext();
        var keys = await db.Outbox.Where(o => o.Kind == OutboxKinds.Digest).Select(o => o.DedupeKey).ToListAsync();
        Assert.Equal(members.Count, keys.Count);
        Assert.Equal(members.Select(m => $"digest:{m.Id}:2026-11-23").Order(), keys.Order());
    }
}

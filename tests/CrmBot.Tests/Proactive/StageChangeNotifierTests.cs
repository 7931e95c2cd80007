using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Proactive;

public sealed class StageChangeNotifierTests : IDisposable
{
    private static readonly DateTimeOffset MondayNoon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly SharedFileStore _store = new();
    private readonly ManualClock _clock = new(MondayNoon);
    private readonly ProactiveHost _host;

    public StageChangeNotifierTests() =>
        _host = new ProactiveHost(_store, _clock, new Dictionary<string, string?> { ["Crm:NotificationChannel"] = "slack:C0TEAM" });

    public void Dispose()
    {
        _host.Dispose();
        _store.Dispose();
    }

    private async Task<(Member Owner, Member Manager, Deal Deal)> SetupAsync()
    {
        var owner = await _host.MemberAsync("Olga", "Europe/Berlin");
        var manager = await _host.MemberAsync("Max", "Europe/Berlin");
        // Max is Olga's manager: only he (or an admin) may move her deal.
        await _host.UpdateMemberAsync(manager.Id, m => m.Role = MemberRole.Manager);
        await _host.UpdateMemberAsync(owner.Id, m => m.ManagerId = manager.Id);
        await using var scope = _host.Scope();
        var deal = await scope.ServiceProvider.GetRequiredService<DealService>()
            .CreateAsync(new NewDeal("Acme renewal", 48000m, "Proposal Sent"), MemberService.ActorFor(owner, "slack"), default);
        return (owner, manager, deal);
    }

    private async Task<StageMove> MoveAsync(int dealId, string stage, string? reason, Member by)
    {
        await using var scope = _host.Scope();
        return await scope.ServiceProvider.GetRequiredService<DealService>().MoveAsync(dealId, stage, reason, MemberService.ActorFor(by, "slack"), default);
    }

    private async Task<List<OutboxMessage>> RowsAsync()
    {
        await using var db = _store.NewContext();
        return await db.Outbox.AsNoTracking().OrderBy(o => o.Id).ToListAsync();
    }

    [Fact]
    public async Task Move_WritesTheChannelCardWithTheMove_OldNewAmountAndWho()
    {
        var (owner, _, deal) = await SetupAsync();
        Assert.Equal(StageMoveStatus.Moved, (await MoveAsync(deal.Id, "negotiation", null, owner)).Status);

        var row = Assert.Single(await RowsAsync());
        Assert.Equal(("slack", "C0TEAM", OutboxStatus.Pending, OutboxKinds.StageChange), (row.Channel, row.ChannelTarget, row.Status, row.Kind));
        var payload = ProactivePayload.FromJson(row.PayloadJson);
        var card = Assert.Single(payload.Cards);
        Assert.Equal("deal-stage-changed", card.Name);
        var json = card.Card.ToJsonString();
        foreach (var expected in new[] { "Acme renewal", "Proposal Sent", "Negotiation", "48,000 USD", "Olga" })
            Assert.Contains(expected, json);
        Assert.DoesNotContain("${", json);
    }

    [Fact]
    public async Task Won_IsCelebrated_Lost_ShowsTheReason()
    {
        var (owner, _, deal) = await SetupAsync();
        await MoveAsync(deal.Id, "won", "Signed after the pilot", owner);
        await MoveAsync(deal.Id, "negotiation", null, owner);
        await MoveAsync(deal.Id, "lost", "Went with a cheaper vendor", owner);

        var payloads = (await RowsAsync()).Select(r => ProactivePayload.FromJson(r.PayloadJson)).ToList();
        Assert.Equal(3, payloads.Count);
        Assert.Contains("🎉", payloads[0].Text);
        Assert.Contains("Deal won", payloads[0].Cards[0].Card.ToJsonString());
        Assert.Contains("Went with a cheaper vendor", payloads[2].Text);
        Assert.Contains("Went with a cheaper vendor", payloads[2].Cards[0].Card.ToJsonString());
        Assert.Contains("Deal lost", payloads[2].Cards[0].Card.ToJsonString());
    }

    [Fact]
    public async Task RefusedMove_WritesNoRow()
    {
        var (owner, _, deal) = await SetupAsync();
        Assert.Equal(StageMoveStatus.NeedsReason, (await MoveAsync(deal.Id, "won", null, owner)).Status);
        Assert.Equal(StageMoveStatus.UnknownStage, (await MoveAsync(deal.Id, "banana", null, owner)).Status);
        Assert.Equal(StageMoveStatus.Unchanged, (await MoveAsync(deal.Id, "proposal", null, owner)).Status);
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task MoveThatFailsToCommit_LeavesNeitherTheMoveNorTheNotification()
    {
        var (owner, _, deal) = await SetupAsync();
        // A later hook fails: the whole SaveChanges (move, history, audit, our outbox row) must not happen.
        using var failing = new ProactiveHost(_store, _clock, new Dictionary<string, string?> { ["Crm:NotificationChannel"] = "slack:C0TEAM" },
            s => s.AddScoped<IStageChangeHook, ThrowingHook>());
        await using (var scope = failing.Scope())
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<DealService>()
                .MoveAsync(deal.Id, "negotiation", null, MemberService.ActorFor(owner, "slack"), default));
        }

        Assert.Empty(await RowsAsync());
        await using var db = _store.NewContext();
        Assert.Equal("Proposal Sent", (await db.Deals.SingleAsync(d => d.Id == deal.Id)).Stage);
    }

    private sealed class ThrowingHook : IStageChangeHook
    {
        public Task OnStageChangedAsync(CrmDbContext db, Deal deal, DealStageChange change, Actor actor, CancellationToken ct) =>
            throw new InvalidOperationException("hook failed");
    }

    [Fact]
    public async Task SomeoneElseMovesYourDeal_InstantOwnerGetsADirectMessage_OwnMovesDoNot()
    {
        var (owner, manager, deal) = await SetupAsync();
        await MoveAsync(deal.Id, "negotiation", null, owner);
        Assert.Single(await RowsAsync());   // the channel only

        await MoveAsync(deal.Id, "proposal", null, manager);
        var rows = await RowsAsync();
        Assert.Equal(3, rows.Count);
        var dm = rows.Single(r => r.MemberId == owner.Id);
        Assert.Equal(OutboxStatus.Pending, dm.Status);
        Assert.Contains("Max", ProactivePayload.FromJson(dm.PayloadJson).Text);
    }

    [Fact]
    public async Task DigestChoice_HoldsTheNoteAndFoldsItIntoTheNextDigestOnce()
    {
        var (owner, manager, deal) = await SetupAsync();
        await _host.UpdateMemberAsync(owner.Id, m => m.StageNotifications = NotificationPreference.Digest);

        await MoveAsync(deal.Id, "negotiation", null, manager);
        var held = (await RowsAsync()).Single(r => r.MemberId == owner.Id);
        Assert.Equal(OutboxStatus.Held, held.Status);

        // Nothing due, but the held note makes the digest worth sending; next morning 09:00 Berlin.
        _clock.Set(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        await _host.PlanAsync();
        var rows = await RowsAsync();
        var digest = rows.Single(r => r.DedupeKey == $"digest:{owner.Id}:2026-11-24");
        Assert.Equal(OutboxStatus.Pending, digest.Status);
        var payload = ProactivePayload.FromJson(digest.PayloadJson);
        Assert.Equal("deal-stage-changed", Assert.Single(payload.Cards).Name);
        Assert.Contains("1 deal update", payload.Text);
        Assert.Equal(OutboxStatus.Folded, rows.Single(r => r.Id == held.Id).Status);

        // The next day's digest does not carry it again (and with nothing else, nothing is sent).
        _clock.Set(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await _host.PlanAsync();
        var next = (await RowsAsync()).Single(r => r.DedupeKey == $"digest:{owner.Id}:2026-11-25");
        Assert.Equal(OutboxStatus.Skipped, next.Status);
    }

    [Fact]
    public async Task DigestChoiceWithDigestOff_ActsAsInstant()
    {
        var (owner, manager, deal) = await SetupAsync();
        await _host.UpdateMemberAsync(owner.Id, m => { m.StageNotifications = NotificationPreference.Digest; m.DigestEnabled = false; });
        await MoveAsync(deal.Id, "negotiation", null, manager);
        Assert.Equal(OutboxStatus.Pending, (await RowsAsync()).Single(r => r.MemberId == owner.Id).Status);
    }

    [Theory]
    [InlineData("msteams:19:abc123@thread.tacv2", "msteams", "19:abc123@thread.tacv2")]
    [InlineData("slack:C0123ABCD", "slack", "C0123ABCD")]
    [InlineData(" Slack : C9 ", "slack", "C9")]
    public void NotificationTarget_ReadsPlatformAndId(string value, string channel, string id)
    {
        Assert.True(CrmBot.Proactive.NotificationTarget.TryParse(value, out var address));
        Assert.Equal((channel, id), (address!.Channel, address.Target));
    }

    [Theory]
    [InlineData("C0123ABCD")]
    [InlineData("teams:19:abc@thread.tacv2")]
    [InlineData("slack:")]
    public void NotificationChannel_Unreadable_RefusesToStart(string value)
    {
        using var host = new ProactiveHost(_store, _clock, new Dictionary<string, string?> { ["Crm:NotificationChannel"] = value });
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<CrmOptions>>().Value);
        Assert.Contains("Crm:NotificationChannel", ex.Message);
    }
}

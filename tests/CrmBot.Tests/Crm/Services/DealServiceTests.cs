using CrmBot.Crm;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Crm.Services;

public class DealServiceTests
{
    [Theory]
    [InlineData("won", "Closed Won")]
    [InlineData("Closed WON", "Closed Won")]
    [InlineData("proposal", "Proposal Sent")]
    [InlineData("  negotiating ", "Negotiation")]
    [InlineData("meeting scheduled", "Meeting Scheduled")]
    [InlineData("qualif", "Qualified")]        // the one stage starting so
    [InlineData("lead", "Lead")]
    [InlineData("closed", null)]               // won or lost? refuse to guess
    [InlineData("banana", null)]
    [InlineData("", null)]
    public void FindStage_NamesSynonymsAndUniquePrefixes(string input, string? expected)
    {
        using var crm = new CrmHost();
        using var turn = crm.Turn();
        Assert.Equal(expected, turn.Get<DealService>().FindStage(input)?.Name);
    }

    [Fact]
    public void FindStage_IgnoresAccents_InConfiguredStages()
    {
        using var crm = new CrmHost(settings: new Dictionary<string, string?>
        {
            ["Crm:Stages:0:Name"] = "Qualifié",
            ["Crm:Stages:1:Name"] = "Gagné", ["Crm:Stages:1:IsClosed"] = "true", ["Crm:Stages:1:IsWon"] = "true",
            ["Crm:Stages:1:Synonyms:0"] = "signé",
            ["Crm:Stages:2:Name"] = "Perdu", ["Crm:Stages:2:IsClosed"] = "true",
        });
        using var turn = crm.Turn();
        var deals = turn.Get<DealService>();
        Assert.Equal(["Qualifié", "Gagné", "Perdu"], deals.Pipeline.Select(s => s.Name).ToList());
        Assert.Equal("Qualifié", deals.FindStage("qualifie")?.Name);
        Assert.Equal("Gagné", deals.FindStage("SIGNE")?.Name);
    }

    [Fact]
    public async Task Move_WritesStageHistoryAndAudit_AndRunsHooksInTheSameSave()
    {
        var hook = new RecordingHook();
        using var crm = new CrmHost(configure: s => s.AddSingleton<IStageChangeHook>(hook));
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Acme renewal", ana, "Qualified");
        crm.Clock.Advance(TimeSpan.FromHours(1));
        var actor = MemberService.ActorFor(ana, "msteams");

        await using (var turn = crm.Turn())
        {
            var move = await turn.Get<DealService>().MoveAsync(deal.Id, "proposal", null, actor, default);
            Assert.Equal((StageMoveStatus.Moved, "Qualified", "Proposal Sent"), (move.Status, move.FromStage, move.Deal!.Stage));
        }

        // The hook saw the change before it was saved, and what it added committed with the move.
        var (seenDeal, seenChange, seenActor, wasSaved) = Assert.Single(hook.Calls);
        Assert.Equal((deal.Id, "Qualified", "Proposal Sent", actor, false), (seenDeal, seenChange.FromStage, seenChange.ToStage, seenActor, wasSaved));
        await using var check = crm.Turn();
        var db = check.Get<CrmDbContext>();
        Assert.Single(db.Outbox, o => o.Kind == "stage-change");
        var history = db.DealStageChanges.Where(c => c.DealId == deal.Id).OrderBy(c => c.Id).ToList();
        Assert.Equal([null, "Qualified"], history.Select(h => h.FromStage).ToList());
        Assert.Equal(["Qualified", "Proposal Sent"], history.Select(h => h.ToStage).ToList());
        Assert.Equal((ana.Id, crm.Clock.GetUtcNow().UtcDateTime), (history[1].ChangedById, history[1].ChangedAt));
        var audit = Assert.Single(db.AuditEntries, a => a.Action == "stage");
        Assert.Equal(("Deal", deal.Id.ToString(), "Qualified", "Proposal Sent", "msteams", "Ana"),
            (audit.EntityType, audit.EntityId, audit.OldValue, audit.NewValue, audit.Channel, audit.Actor));
    }

    [Fact]
    public async Task Move_HookThrows_NothingIsWritten()
    {
        using var crm = new CrmHost(configure: s => s.AddSingleton<IStageChangeHook>(new ThrowingHook()));
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Acme renewal", ana, "Lead");

        await using (var turn = crm.Turn())
            await Assert.ThrowsAsync<InvalidOperationException>(() => turn.Get<DealService>().MoveAsync(deal.Id, "qualified", null, MemberService.ActorFor(ana, "slack"), default));

        await AssertUnchanged(crm, deal.Id, "Lead");
    }

    [Fact]
    public async Task Move_UnknownStage_ListsValidStagesAndChangesNothing()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Acme renewal", ana, "Lead");

        await using (var turn = crm.Turn())
        {
            var move = await turn.Get<DealService>().MoveAsync(deal.Id, "sort of done", null, MemberService.ActorFor(ana, "slack"), default);
            Assert.Equal(StageMoveStatus.UnknownStage, move.Status);
            Assert.Equal(PipelineStage.Defaults.Select(s => s.Name), move.ValidStages.Select(s => s.Name));
        }
        await AssertUnchanged(crm, deal.Id, "Lead");
    }

    [Theory]
    [InlineData("won", null)]
    [InlineData("lost", "   ")]
    public async Task Move_ClosingWithoutReason_NeedsReasonAndChangesNothing(string stage, string? reason)
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Acme renewal", ana, "Negotiation");

        await using (var turn = crm.Turn())
        {
            var move = await turn.Get<DealService>().MoveAsync(deal.Id, stage, reason, MemberService.ActorFor(ana, "slack"), default);
            Assert.Equal((StageMoveStatus.NeedsReason, "Negotiation"), (move.Status, move.FromStage));
        }
        await AssertUnchanged(crm, deal.Id, "Negotiation");
    }

    [Fact]
    public async Task Move_ClosingWithReason_KeepsReason_ReopeningClearsIt()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Acme renewal", ana, "Negotiation");
        var actor = MemberService.ActorFor(ana, "slack");

        await using (var turn = crm.Turn())
        {
            var move = await turn.Get<DealService>().MoveAsync(deal.Id, "lost", "went with a competitor", actor, default);
            Assert.Equal(("Closed Lost", "went with a competitor"), (move.Deal!.Stage, move.Deal.CloseReason));
        }
        await using (var turn = crm.Turn())
        {
            var db = turn.Get<CrmDbContext>();
            Assert.Equal("went with a competitor", db.DealStageChanges.OrderBy(c => c.Id).Last().Reason);
            Assert.Equal("Closed Lost (went with a competitor)", db.AuditEntries.Single(a => a.Action == "stage").NewValue);
            var reopened = await turn.Get<DealService>().MoveAsync(deal.Id, "negotiation", null, actor, default);
            Assert.Equal(StageMoveStatus.Moved, reopened.Status);
            Assert.Null(reopened.Deal!.CloseReason);
        }
    }

    [Fact]
    public async Task Move_SameStageOrUnknownDeal_WritesNothing()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Acme renewal", ana, "Lead");
        var actor = MemberService.ActorFor(ana, "slack");

        await using (var turn = crm.Turn())
        {
            var deals = turn.Get<DealService>();
            Assert.Equal(StageMoveStatus.Unchanged, (await deals.MoveAsync(deal.Id, "new", null, actor, default)).Status);
            var missing = await deals.MoveAsync(deal.Id + 50, "won", "x", actor, default);
            Assert.Equal(StageMoveStatus.NotFound, missing.Status);
            Assert.NotEmpty(missing.ValidStages);
        }
        await AssertUnchanged(crm, deal.Id, "Lead");
    }

    [Fact]
    public async Task OpenDeals_OwnersOpenDealsInPipelineOrder()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var bo = await crm.MemberAsync("Bo");
        await crm.DealAsync("Zeta", ana, "Negotiation");
        await crm.DealAsync("Alpha", ana, "Lead");
        await crm.DealAsync("Beta", ana, "Closed Won");
        await crm.DealAsync("Gamma", bo, "Lead");
        await crm.DealAsync("Delta", ana, "Lead");

        await using var turn = crm.Turn();
        var open = await turn.Get<DealService>().OpenDealsAsync(ana.Id, default);
        Assert.Equal(["Alpha", "Delta", "Zeta"], open.Select(d => d.Name).ToList());
    }

    [Fact]
    public async Task Create_AuditsAndStartsHistory_UnknownStageRefused()
    {
        using var crm = new CrmHost();
        var ana = await crm.MemberAsync("Ana");
        var deal = await crm.DealAsync("Müller line upgrade", ana);

        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var stored = await db.Deals.Include(d => d.StageHistory).SingleAsync();
        Assert.Equal(("Lead", "muller line upgrade", ana.Id), (stored.Stage, stored.SearchName, stored.OwnerId));
        Assert.Single(stored.StageHistory);
        Assert.Single(db.AuditEntries, a => a.EntityType == "Deal" && a.Action == "created" && a.EntityId == deal.Id.ToString());
        await Assert.ThrowsAsync<CrmException>(() => turn.Get<DealService>().CreateAsync(new NewDeal("x", 1, "sideways"), MemberService.ActorFor(ana, "slack"), default));
        Assert.Single(db.Deals);
    }

    private static async Task AssertUnchanged(CrmHost crm, int dealId, string stage)
    {
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        var deal = await db.Deals.SingleAsync(d => d.Id == dealId);
        Assert.Equal(stage, deal.Stage);
        Assert.Null(deal.CloseReason);
        Assert.Single(db.DealStageChanges, c => c.DealId == dealId);          // only the creation row
        Assert.DoesNotContain(db.AuditEntries, a => a.Action == "stage");
        Assert.Empty(db.Outbox);
    }

    private sealed class RecordingHook : IStageChangeHook
    {
        public List<(int DealId, DealStageChange Change, Actor Actor, bool Saved)> Calls { get; } = [];

        public Task OnStageChangedAsync(CrmDbContext db, Deal deal, DealStageChange change, Actor actor, CancellationToken ct)
        {
            Calls.Add((deal.Id, change, actor, db.Entry(change).State != EntityState.Added));
            db.Outbox.Add(new OutboxMessage { Channel = "slack", Kind = "stage-change", PayloadJson = "{}", CreatedAt = deal.UpdatedAt });
            return Task.CompletedTask;
        }
    }

    private sealed class ThrowingHook : IStageChangeHook
    {
        public Task OnStageChangedAsync(CrmDbContext db, Deal deal, DealStageChange change, Actor actor, CancellationToken ct)
        {
            db.Outbox.Add(new OutboxMessage { Channel = "slack", Kind = "stage-change", PayloadJson = "{}" });
            throw new InvalidOperationException("notification could not be planned");
        }
    }
}

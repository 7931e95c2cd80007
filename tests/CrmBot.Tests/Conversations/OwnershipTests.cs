using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>Who may change whose deals and follow-ups, through IBot.OnTurnAsync. Reads stay open to everyone.</summary>
public class OwnershipTests
{
    private static readonly ChatUser Jane = new("slack", "T1", "U-jane", "Jane Doe", "UTC");
    private static readonly ChatUser Megan = new("slack", "T1", "U-megan", "Megan Bowen", "UTC");

    private static async Task<(ConversationHost Host, Deal Deal, int FollowUpId)> JanesWorkAsync()
    {
        var host = new ConversationHost { Rep = Jane, ConversationId = "D-jane" };
        await host.ContactAsync("Bob", "Smith", "Acme");
        var deal = await host.DealAsync("Acme renewal 2027", "Negotiation");
        await host.SayAsync("log call with Bob Smith: pricing, follow up tomorrow: send the deck");
        var followUp = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        host.Rep = Megan;
        host.ConversationId = "D-megan";
        return (host, deal, followUp.Id);
    }

    private static Task SetAsync(ConversationHost host, string userId, Action<Member> change) => host.WithDbAsync(async db =>
    {
        change(await db.Members.SingleAsync(m => m.UserId == userId));
        return await db.SaveChangesAsync();
    });

    [Fact]
    public async Task RepMovesAnotherRepsDeal_Refused_SaysWhoMay_NothingChanges()
    {
        var (host, deal, _) = await JanesWorkAsync();
        using var _ = host;

        var replies = await host.SayAsync("move acme renewal 2027 to won");

        Assert.Contains("Only Jane Doe (the deal's owner), their manager or an admin can move this deal.", replies.Text());
        var stored = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id));
        Assert.Equal(("Negotiation", (string?)null), (stored.Stage, stored.CloseReason));
        Assert.Equal(1, await host.WithDbAsync(db => db.DealStageChanges.CountAsync(c => c.DealId == deal.Id)));
    }

    [Fact]
    public async Task RepPressesDoneOnAnotherMembersFollowUp_Refused_NothingChanges()
    {
        var (host, _, id) = await JanesWorkAsync();
        using var _ = host;

        var replies = await host.ClickAsync(new JsonObject { ["verb"] = "followup.done", ["id"] = id });
        var snoozed = await host.ClickAsync(new JsonObject { ["verb"] = "followup.snooze", ["id"] = id, ["days"] = 7 });

        Assert.Contains("Only Jane Doe (the follow-up's assignee), their manager or an admin can complete this follow-up.", replies.Text());
        Assert.Contains("can snooze this follow-up", snoozed.Text());
        var stored = await host.WithDbAsync(db => db.FollowUps.SingleAsync(f => f.Id == id));
        Assert.Equal((FollowUpStatus.Open, (DateTime?)null), (stored.Status, stored.CompletedAt));
        Assert.Equal(0, await host.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.EntityType == nameof(FollowUp) && a.Action != "created")));
    }

    [Fact]
    public async Task JanesManager_MayMoveHerDeal_AndCompleteHerFollowUp()
    {
        var (host, deal, id) = await JanesWorkAsync();
        using var _ = host;
        var megan = await host.MeAsync();
        await SetAsync(host, Megan.UserId, m => m.Role = MemberRole.Manager);
        await SetAsync(host, Jane.UserId, m => m.ManagerId = megan.Id);

        await host.SayAsync("move acme renewal 2027 to won");
        await host.SayAsync("budget approved");
        await host.ClickAsync(new JsonObject { ["verb"] = "followup.done", ["id"] = id });

        Assert.Equal("Closed Won", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);
        Assert.Equal(FollowUpStatus.Done, (await host.WithDbAsync(db => db.FollowUps.SingleAsync(f => f.Id == id))).Status);
    }

    [Fact]
    public async Task AManagerOfAnotherTeam_IsRefused_AnAdminIsNot()
    {
        var (host, _, id) = await JanesWorkAsync();
        using var _ = host;
        await host.MeAsync();
        await SetAsync(host, Megan.UserId, m => m.Role = MemberRole.Manager);

        var refused = await host.ClickAsync(new JsonObject { ["verb"] = "followup.done", ["id"] = id });
        Assert.Contains("Only Jane Doe", refused.Text());

        await SetAsync(host, Megan.UserId, m => m.Role = MemberRole.Admin);
        await host.ClickAsync(new JsonObject { ["verb"] = "followup.done", ["id"] = id });
        Assert.Equal(FollowUpStatus.Done, (await host.WithDbAsync(db => db.FollowUps.SingleAsync(f => f.Id == id))).Status);
    }
}

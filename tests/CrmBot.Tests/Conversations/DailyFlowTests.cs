using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Features;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// A rep's day in chat: adding contacts and deals (each after a duplicate check), looking up a company, and stage
/// moves that skip stages or reopen a deal. Through IBot.OnTurnAsync on a real store; today is Wed 25 Nov 2026 (UTC).
/// </summary>
public class DailyFlowTests
{
    // ---- who is <company> -------------------------------------------------------------------------------------

    [Fact]
    public async Task WhoIsACompany_ShowsItsContacts_OpenDeals_Activities_AndFollowUps()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe", "Acme Corporation");
        await host.ContactAsync("John", "Roe", "Acme Corporation");
        await host.ContactAsync("Other", "Person", "Globex");
        foreach (var (name, stage, amount) in new[] { ("Acme renewal", "Lead", 48_000m), ("Acme old", "Closed Lost", 5_000m) })
        {
            var deal = await host.DealAsync(name, stage);
            await host.WithDbAsync(db => db.Deals.Where(d => d.Id == deal.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.CompanyId, jane.CompanyId).SetProperty(d => d.Amount, amount)));
        }
        await host.SayAsync("log call with Jane Doe: discussed renewal pricing, follow up tomorrow: send the quote");

        var card = (await host.SayAsync("who is acme")).Card(CardNames.Company);

        Assert.Contains("Acme Corporation", card.FallbackText);
        Assert.Contains("Contacts (2): Jane Doe, John Roe", card.FallbackText);
        Assert.Contains("Acme renewal (Lead, 48,000 USD); total 48,000 USD", card.FallbackText);
        Assert.DoesNotContain("Acme old", card.FallbackText);
        Assert.Contains("Call with Jane Doe on 2026-11-25: discussed renewal pricing", card.FallbackText);
        Assert.Contains("Send the quote (2026-11-26)", card.FallbackText);
        Assert.DoesNotContain("Other Person", card.Card.ToJsonString());
        Assert.Equal(jane.CompanyId, (await host.WithDbAsync(db => db.Companies.SingleAsync(c => c.Name == "Acme Corporation"))).Id);
    }

    [Fact]
    public async Task WhoIs_AContactNamedExactlyLikeACompany_StaysTheContact()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Morgan", "", "Globex");
        await host.WithDbAsync(async db =>
        {
            db.Companies.Add(new Company { Name = "Morgan", NormalizedName = "morgan" });
            return await db.SaveChangesAsync();
        });

        var replies = await host.SayAsync("who is morgan");

        Assert.Contains("Morgan", replies.Card(CardNames.ContactSummary).FallbackText);
    }

    [Fact]
    public async Task WhoIs_ACompanyWithNoActivity_SaysNone()
    {
        using var host = new ConversationHost();
        await host.WithDbAsync(async db =>
        {
            db.Companies.Add(new Company { Name = "Initech", NormalizedName = "initech" });
            return await db.SaveChangesAsync();
        });

        var card = (await host.SayAsync("who is Initech?")).Card(CardNames.Company);

        Assert.Contains("Contacts (0): none yet\nOpen deals: none\nLast activity: none\nNext follow-ups: none", card.FallbackText);
    }

    // ---- stage moves ------------------------------------------------------------------------------------------

    [Fact]
    public async Task SkippingStages_ShowsTheSkippedExitCriteria_AndNoChangesNothing()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Lead");

        var confirm = (await host.SayAsync("move acme renewal to proposal")).Card(CardNames.Confirm);

        Assert.Contains("Lead → Proposal Sent skips 2 stages", confirm.FallbackText);
        Assert.Contains("Qualified: Authority identified", confirm.FallbackText);
        Assert.Contains("Meeting Scheduled: Demo completed", confirm.FallbackText);
        Assert.DoesNotContain("Budget known", confirm.FallbackText);
        var no = await host.SayAsync("no");
        Assert.Contains("Acme renewal stays in Lead. Nothing changed.", no.Text());
        Assert.Equal("Lead", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);
        Assert.Equal(1, await host.WithDbAsync(db => db.DealStageChanges.CountAsync()));
    }

    [Fact]
    public async Task SkippingStages_ConfirmedWithTheButton_Moves()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Lead");
        var confirm = (await host.SayAsync("move acme renewal to proposal")).Card(CardNames.Confirm);

        var moved = await host.ClickAsync(confirm, "Move to Proposal Sent");

        Assert.Contains("Lead → Proposal Sent", moved.Card(CardNames.DealStageChanged).FallbackText);
        var rows = await host.WithDbAsync(db => db.DealStageChanges.Where(h => h.DealId == deal.Id).OrderBy(h => h.Id)
            .Select(h => (h.FromStage ?? "-") + ">" + h.ToStage).ToListAsync());
        Assert.Equal(["->Lead", "Lead>Proposal Sent"], rows);
    }

    [Fact]
    public async Task OneStepForward_OrBack_OrLost_AsksNoConfirmation()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Qualified");

        Assert.Contains("Qualified → Meeting Scheduled", (await host.SayAsync("move acme renewal to meeting")).Text());
        Assert.Contains("Meeting Scheduled → Lead", (await host.SayAsync("move acme renewal to lead")).Text());
        Assert.Contains("Lead → Closed Lost", (await host.SayAsync("move acme renewal to lost: no budget")).Text());
        Assert.Equal("Closed Lost", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);
    }

    [Fact]
    public async Task SkippingToWon_IsConfirmed_ThenAsksWhy()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Meeting Scheduled");

        var confirm = await host.SayAsync("move acme renewal to won");
        Assert.Contains("skips 2 stages", confirm.Text());
        Assert.Contains("Proposal Sent: Pricing discussed", confirm.Text());
        Assert.Contains("Negotiation: Agreement signed", confirm.Text());
        Assert.Contains("Why is Acme renewal closed won", (await host.SayAsync("yes")).Text());
        var moved = await host.SayAsync("signed early");

        Assert.Contains("Meeting Scheduled → Closed Won", moved.Card(CardNames.DealStageChanged).FallbackText);
        var stored = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id));
        Assert.Equal(("Closed Won", "signed early"), (stored.Stage, stored.CloseReason));
    }

    [Fact]
    public async Task ReopeningAClosedDeal_IsConfirmed()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Negotiation");
        await host.SayAsync("move acme renewal to lost: went with a competitor");

        var confirm = (await host.SayAsync("move acme renewal to negotiation")).Card(CardNames.Confirm);
        Assert.Contains("Acme renewal is closed: Closed Lost (went with a competitor).", confirm.FallbackText);
        Assert.Contains("Reopen it in Negotiation?", confirm.FallbackText);
        Assert.Equal("Closed Lost", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);

        var moved = await host.ClickAsync(confirm, "Reopen in Negotiation");

        Assert.Contains("Closed Lost → Negotiation", moved.Text());
        var stored = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id));
        Assert.Equal(("Negotiation", (string?)null), (stored.Stage, stored.CloseReason));
    }

    [Fact]
    public async Task TheStagePickerOnTheCard_AlsoConfirmsASkip()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Globex pilot", "Lead");
        var card = (await host.SayAsync("deal globex pilot")).Card(CardNames.Deal);

        var confirm = (await host.ClickAsync(card, "Change stage", inputs: new() { ["stage"] = "Negotiation" })).Card(CardNames.Confirm);
        Assert.Contains("skips 3 stages", confirm.FallbackText);
        var kept = await host.ClickAsync(confirm, "Keep in Lead");

        Assert.Contains("stays in Lead", kept.Text());
        Assert.Equal("Lead", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);
    }

    [Fact]
    public async Task TheDealCard_ShowsTheStageHistory()
    {
        using var host = new ConversationHost();
        await host.DealAsync("Acme renewal", "Lead");
        await host.SayAsync("move acme renewal to qualified");
        host.Clock.Advance(TimeSpan.FromDays(2));
        await host.SayAsync("move acme renewal to lost: no budget");

        var card = (await host.SayAsync("deal acme renewal")).Card(CardNames.Deal);

        const string history = "25 Nov 2026 · Created in Lead by Rita Rep\n25 Nov 2026 · Lead → Qualified by Rita Rep\n" +
            "27 Nov 2026 · Qualified → Closed Lost by Rita Rep (no budget)";
        Assert.Contains("History:\n" + history, card.FallbackText);
        Assert.Contains(history, Texts(card.Card));
    }

    /// <summary>Every string on a card, unescaped, one per line.</summary>
    private static string Texts(JsonNode? node) => node switch
    {
        JsonObject o => string.Join("\n", o.Select(p => Texts(p.Value))),
        JsonArray a => string.Join("\n", a.Select(Texts)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };
}

using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Channels.Terminal;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Fakes.Slack;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// "history …" and the History buttons of the deal and contact cards, through IBot.OnTurnAsync: the latest changes
/// from the audit trail, newest first, with who made them; the card as Teams gets it and as Slack renders it.
/// </summary>
public sealed class HistoryTests : IDisposable
{
    private readonly ConversationHost _host = new();

    public void Dispose() => _host.Dispose();

    private static IReadOnlyList<string> Lines(CardReply card) =>
        card.Card["body"]!.AsArray().OfType<JsonObject>()
            .Select(e => e["text"]?.GetValue<string>() ?? "").Where(t => t.Contains(" · ", StringComparison.Ordinal)).ToList();

    private async Task<int> AcmeExpansionAsync()
    {
        await _host.ContactAsync("Bob", "Smith", "Acme");
        await _host.SayAsync("new deal Acme expansion 25k for Bob Smith");
        await _host.SayAsync("move Acme expansion to qualified");
        return await _host.WithDbAsync(db => db.Deals.Select(d => d.Id).SingleAsync());
    }

    [Fact]
    public async Task TypedHistory_OfADeal_ShowsItsChangesNewestFirst_WithWhoAndOldToNew()
    {
        var dealId = await AcmeExpansionAsync();
        await _host.SayAsync("log call with Bob Smith: pricing");   // goes with Bob's one open deal

        var card = (await _host.SayAsync("history acme expansion")).Card(CardNames.History);

        var lines = Lines(card);
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("25 Nov 2026 15:00 · Rita Rep: activity created: Call with Bob Smith", lines[0]);
        Assert.Equal("25 Nov 2026 15:00 · Rita Rep: stage: Lead → Qualified", lines[1]);
        Assert.Equal("25 Nov 2026 15:00 · Rita Rep: created: Acme expansion, 25000 USD, Lead", lines[2]);
        Assert.Contains("History: Acme expansion", card.Card.ToJsonString());
        var show = ConversationHost.Actions(card.Card).Single();
        Assert.Equal(("deal.show", dealId), (show["data"]!["verb"]!.GetValue<string>(), show["data"]!["dealId"]!.GetValue<int>()));
    }

    [Fact]
    public async Task TheDealCardsHistoryButton_AndTheContactCardsHistoryButton_ShowTheirHistory()
    {
        await AcmeExpansionAsync();
        await _host.SayAsync("follow up with Bob Smith Friday: send contract");

        var deal = (await _host.SayAsync("deal acme expansion")).Card(CardNames.Deal);
        var dealHistory = (await _host.ClickAsync(deal, "History")).Card(CardNames.History);
        Assert.Contains("stage: Lead → Qualified", string.Join("\n", Lines(dealHistory)));

        var contact = (await _host.SayAsync("who is Bob Smith")).Card(CardNames.ContactSummary);
        var contactHistory = (await _host.ClickAsync(contact, "History")).Card(CardNames.History);
        var lines = Lines(contactHistory);
        // The contact was added outside chat (no entry of its own); its follow-up was made here.
        Assert.Equal("25 Nov 2026 15:00 · Rita Rep: follow-up created: send contract due 2026-11-27 for Rita Rep", Assert.Single(lines));
        Assert.Contains("\"verb\":\"contact.show\"", contactHistory.Card.ToJsonString());
    }

    [Fact]
    public async Task History_ShowsTheLatestFive_InTheMembersZone()
    {
        var dealId = await AcmeExpansionAsync();
        foreach (var stage in new[] { "meeting scheduled", "proposal", "negotiation", "qualified", "lead" })
        {
            _host.Clock.Advance(TimeSpan.FromHours(1));
            await _host.SayAsync($"move Acme expansion to {stage}");
            await _host.SayAsync("yes");   // a skip or a move back may ask first
        }
        _host.Rep = _host.Rep with { TimeZone = "Europe/Berlin" };

        var card = (await _host.ClickAsync(new JsonObject { ["verb"] = "history.show", ["dealId"] = dealId })).Card(CardNames.History);

        var lines = Lines(card);
        Assert.Equal(5, lines.Count);
        Assert.Equal("25 Nov 2026 21:00 · Rita Rep: stage: Qualified → Lead", lines[0]);
        Assert.Equal("25 Nov 2026 17:00 · Rita Rep: stage: Qualified → Meeting Scheduled", lines[4]);
    }

    [Fact]
    public async Task History_WithNoChangesRecorded_SaysSo()
    {
        await _host.ContactAsync("Bob", "Smith", "Acme");

        var replies = await _host.SayAsync("history Bob Smith");

        var card = replies.Card(CardNames.History);
        Assert.Empty(Lines(card));
        Assert.Contains("No changes recorded yet.", card.Card.ToJsonString());
        Assert.Contains("no changes recorded yet", card.FallbackText);
    }

    [Fact]
    public async Task History_OfANameThatFitsADealAndAContact_AsksWhich_ThenShowsThePicked()
    {
        await _host.ContactAsync("Acme", "Expansion");
        await AcmeExpansionAsync();

        var picker = (await _host.SayAsync("history Acme Expansion")).Card(CardNames.ContactPicker);
        Assert.Contains("deal, Qualified", picker.Card.ToJsonString());
        var card = (await _host.ClickAsync(picker, "Choose", nth: 0)).Card(CardNames.History);

        Assert.Contains("stage: Lead → Qualified", string.Join("\n", Lines(card)));
    }

    [Fact]
    public async Task History_OfNothingKnown_OrWithoutAName_SaysWhatToType()
    {
        Assert.Contains("I couldn't find a deal or contact called \"Zed Zebra\"", (await _host.SayAsync("history Zed Zebra")).Text());
        Assert.Contains("history Acme renewal 2027", (await _host.SayAsync("history")).Text());
        Assert.Contains("missing which deal or contact", (await _host.ClickAsync(new JsonObject { ["verb"] = "history.show" })).Text());
    }

    [Fact]
    public async Task HistoryCard_AsSlackRendersIt_ListsTheChanges_AndTheDealCardKeepsItsHistoryButtonBesideTheForm()
    {
        await AcmeExpansionAsync();
        var deal = (await _host.SayAsync("deal acme expansion")).Card(CardNames.Deal);
        var history = (await _host.ClickAsync(deal, "History")).Card(CardNames.History);

        var message = BlockKit.Message(history.Card, history.FallbackText).Result;
        Assert.Empty(BlockKitRules.CheckMessage(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() }));
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Assert.Contains("Rita Rep: stage: Lead → Qualified", message.Blocks.ToJsonString(relaxed));

        // The deal card is a form (the stage picker): Slack shows "Open form", and History as a button of its own.
        var dealMessage = BlockKit.Message(deal.Card, deal.FallbackText).Result;
        var buttons = dealMessage.Blocks.OfType<JsonObject>().Where(b => b["type"]!.GetValue<string>() == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>()).ToList();
        Assert.Equal(["Open form", "History"], buttons.Select(b => b["text"]!["text"]!.GetValue<string>()));
        Assert.Equal("history.show", buttons[1]["action_id"]!.GetValue<string>());
        Assert.Contains("dealId", buttons[1]["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheDealCardsHistoryButton_AtTheTerminal_AsksForNoInputs_WhileChangeStageStillDoes()
    {
        await AcmeExpansionAsync();
        var deal = (await _host.SayAsync("deal acme expansion")).Card(CardNames.Deal);

        var (_, actions) = TerminalCardRenderer.Render(deal.Card, 1);

        Assert.Equal(["stage", "reason"], actions.Single(a => a.Title == "Change stage").Inputs.Select(i => i["id"]!.GetValue<string>()));
        Assert.Empty(actions.Single(a => a.Title == "History").Inputs);
    }

    [Fact]
    public async Task NotesThatStartWithHistory_AreNotTakenForTheCommand()
    {
        await _host.ContactAsync("Bob", "Smith", "Acme");
        await _host.SayAsync("log call with Bob Smith");

        var held = await _host.SayAsync("history of billing problems since the migration last spring, wants credits");

        Assert.DoesNotContain("Left the question", held.Text());
        Assert.Contains("Save \"history of billing problems", held.Text());
    }
}

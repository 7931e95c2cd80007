using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Features;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// A rep's day in chat: adding contacts and deals (each after a duplicate check), looking up a company, and stage
/// moves that skip stages or reopen a deal. Through IBot.OnTurnAsync on a real store; today is Wed 25 Nov 2026 (UTC).
/// </summary>
public class DailyFlowTests
{
    // ---- add contact ------------------------------------------------------------------------------------------

    [Fact]
    public async Task AddContact_AtAnUnknownCompany_AddsBoth_AndSaysSo()
    {
        using var host = new ConversationHost();
        var me = await host.MeAsync();

        var replies = await host.SayAsync("add contact Bob Smith, bob@acme.com, +1 206 555 0100 at Acme");

        Assert.Contains("Added contact Bob Smith (Acme): bob@acme.com · +12065550100.", replies.Text());
        Assert.Contains("Acme was new, so I added the company too.", replies.Text());
        replies.Card(CardNames.ContactSummary);
        var bob = await host.WithDbAsync(db => db.Contacts.Include(c => c.Company).SingleAsync());
        Assert.Equal(("Bob", "Smith", "bob@acme.com", "+12065550100", "Acme", "acme", me.Id),
            (bob.FirstName, bob.LastName, bob.Email, bob.Phone, bob.Company!.Name, bob.Company.NormalizedName, bob.OwnerId));
        var audit = await host.WithDbAsync(db => db.AuditEntries.Where(a => a.EntityType != nameof(Member)).OrderBy(a => a.Id).Select(a => $"{a.EntityType} {a.EntityId} {a.Action} by {a.MemberId}").ToListAsync());
        Assert.Equal([$"Company {bob.CompanyId} created by {me.Id}", $"Contact {bob.Id} created by {me.Id}"], audit);
    }

    [Fact]
    public async Task AddContact_AtAKnownCompany_UsesIt_WithATitle()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe", "Acme Corporation");

        var replies = await host.SayAsync("new contact bob smith, CTO at Acme Inc");

        Assert.Contains("Added contact Bob Smith (Acme Corporation): CTO.", replies.Text());
        Assert.DoesNotContain("added the company", replies.Text());
        Assert.Equal(1, await host.WithDbAsync(db => db.Companies.CountAsync()));
        var bob = await host.WithDbAsync(db => db.Contacts.SingleAsync(c => c.FirstName == "Bob"));
        Assert.Equal((jane.CompanyId, "CTO", (string?)null), (bob.CompanyId, bob.Title, bob.Email));
    }

    [Fact]
    public async Task AddContact_WithAKnownEmail_AsksDidYouMean_AndUseExisting_AddsNothing()
    {
        using var host = new ConversationHost();
        var existing = await host.ContactAsync("Robert", "Smith", "Acme");
        await host.WithDbAsync(db => db.Contacts.Where(c => c.Id == existing.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Email, "bob@acme.com")));

        var check = (await host.SayAsync("add contact Bob Smith, BOB@acme.com")).Card(CardNames.DuplicateCheck);

        Assert.Contains("Did you mean Robert Smith? A contact with that email is already here.", check.FallbackText);
        Assert.Equal(1, await host.WithDbAsync(db => db.Contacts.CountAsync()));
        var kept = await host.ClickAsync(check, "Use existing");
        Assert.Contains("kept the existing contact and added nothing", kept.Text());
        Assert.Contains("Robert Smith", kept.Card(CardNames.ContactSummary).FallbackText);
        Assert.Equal(1, await host.WithDbAsync(db => db.Contacts.CountAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.EntityType != nameof(Member))));
    }

    [Fact]
    public async Task AddContact_WithAKnownPhone_CreateAnyway_AddsTheSecond()
    {
        using var host = new ConversationHost();
        var existing = await host.ContactAsync("Bob", "Smith", "Globex");
        await host.WithDbAsync(db => db.Contacts.Where(c => c.Id == existing.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Phone, "+12065550100")));

        var check = (await host.SayAsync("add contact Rob Jones +1 (206) 555-0100")).Card(CardNames.DuplicateCheck);
        Assert.Contains("A contact with that phone number is already here.", check.FallbackText);

        var replies = await host.ClickAsync(check, "Create anyway");

        Assert.Contains("Added contact Rob Jones: +12065550100.", replies.Text());
        var phones = await host.WithDbAsync(db => db.Contacts.OrderBy(c => c.Id).Select(c => c.FullName + " " + c.Phone).ToListAsync());
        Assert.Equal(["Bob Smith +12065550100", "Rob Jones +12065550100"], phones);
    }

    [Fact]
    public async Task AddContact_ACloseNameAtTheSameCompany_IsQuestioned_AtAnotherCompanyItIsNot()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Bob", "Smith", "Acme");

        var check = await host.SayAsync("add contact Bob Smyth at Acme");
        Assert.Contains("Did you mean Bob Smith?", check.Card(CardNames.DuplicateCheck).FallbackText);
        Assert.Contains("Added contact Bob Smyth (Acme)", (await host.SayAsync("create anyway")).Text());

        var elsewhere = await host.SayAsync("add contact Bob Smith at Globex");

        Assert.Contains("Added contact Bob Smith (Globex).", elsewhere.Text());
        Assert.Equal(3, await host.WithDbAsync(db => db.Contacts.CountAsync()));
    }

    [Theory]
    [InlineData("add contact Bob Smith, 206 555 0100", "with its country code")]
    [InlineData("add contact Bob Smith, bob@", "isn't an email address")]
    [InlineData("add contact", "Who should I add?")]
    [InlineData("add contact 12345678 at Acme", "as a phone number")]
    [InlineData("add contact Bob Smith, CTO, Seattle, bob@acme.com", "what \"Seattle\" is")]
    public async Task AddContact_WithDetailsItCannotRead_SaysWhat_AndAddsNothing(string text, string expected)
    {
        using var host = new ConversationHost();

        var replies = await host.SayAsync(text);

        Assert.Contains(expected, replies.Text());
        Assert.Contains("Nothing was added.", replies.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.Contacts.CountAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.Companies.CountAsync()));
    }

    // ---- new deal ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task NewDeal_ForAContact_AtItsCompany_ClosingEndOfMarch()
    {
        using var host = new ConversationHost();
        var me = await host.MeAsync();
        var jane = await host.ContactAsync("Jane", "Doe", "Acme");

        var replies = await host.SayAsync("new deal Acme expansion 25k for Jane Doe, closes end of March");

        Assert.Contains("Added deal Acme expansion: 25,000 USD, Lead, Acme, for Jane Doe, closes Wed 31 Mar 2027.", replies.Text());
        var card = replies.Card(CardNames.Deal);
        Assert.Contains("Created in Lead", card.Card.ToJsonString());
        var deal = await host.WithDbAsync(db => db.Deals.SingleAsync());
        Assert.Equal(("Acme expansion", 25_000m, "USD", "Lead", jane.Id, jane.CompanyId, new DateOnly(2027, 3, 31), me.Id),
            (deal.Name, deal.Amount, deal.Currency, deal.Stage, deal.ContactId, deal.CompanyId, deal.ExpectedClose, deal.OwnerId));
        Assert.Equal("created", (await host.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.EntityType == nameof(Deal)))).Action);
    }

    [Theory]
    [InlineData("new deal Globex pilot $25,000", 25_000, "USD")]
    [InlineData("new deal Globex pilot 25000 EUR", 25_000, "EUR")]
    [InlineData("add deal Globex pilot 1.5m", 1_500_000, "USD")]
    [InlineData("create deal Globex pilot 2027 €40k", 40_000, "EUR")]
    [InlineData("new deal Globex pilot 12,500 gbp, closes Q1", 12_500, "GBP")]
    public async Task NewDeal_ReadsTheAmount(string text, decimal amount, string currency)
    {
        using var host = new ConversationHost();

        var replies = await host.SayAsync(text);

        replies.Card(CardNames.Deal);
        var deal = await host.WithDbAsync(db => db.Deals.SingleAsync());
        Assert.Equal((amount, currency), (deal.Amount, deal.Currency));
        Assert.StartsWith("Globex pilot", deal.Name);
    }

    [Fact]
    public async Task NewDeal_CloseDates_EndOfQuarter_AndAPlainDate()
    {
        using var host = new ConversationHost();

        await host.SayAsync("new deal Globex pilot 10k, closes end of Q1");
        await host.SayAsync("new deal Initech seats 5k, closing Dec 15");

        var closes = await host.WithDbAsync(db => db.Deals.OrderBy(d => d.Id).Select(d => d.ExpectedClose).ToListAsync());
        Assert.Equal([new DateOnly(2027, 3, 31), new DateOnly(2026, 12, 15)], closes);
    }

    [Fact]
    public async Task NewDeal_WithACloseNameAtTheSameCompany_AsksDidYouMean()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe", "Acme");
        var first = await host.DealAsync("Acme expansion", "Qualified");
        await host.WithDbAsync(db => db.Deals.Where(d => d.Id == first.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.CompanyId, jane.CompanyId).SetProperty(d => d.ContactId, jane.Id)));

        var check = (await host.SayAsync("new deal Acme expansoin 30k for Jane Doe")).Card(CardNames.DuplicateCheck);
        Assert.Contains("Did you mean Acme expansion? A deal with a close name is already here at Acme.", check.FallbackText);
        var kept = await host.ClickAsync(check, "Use existing");
        Assert.Contains("kept the existing deal and added nothing", kept.Text());
        Assert.Equal(first.Id, (await host.WithDbAsync(db => db.Deals.SingleAsync())).Id);

        var again = (await host.SayAsync("new deal Acme expansoin 30k for Jane Doe")).Card(CardNames.DuplicateCheck);
        var created = await host.ClickAsync(again, "Create anyway");

        Assert.Contains("Added deal Acme expansoin: 30,000 USD", created.Text());
        Assert.Equal(2, await host.WithDbAsync(db => db.Deals.CountAsync()));
    }

    [Fact]
    public async Task NewDeal_ForAnAmbiguousContact_ShowsAPicker_AndUsesTheChoice()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        var smith = await host.ContactAsync("Jane", "Smith", "Globex");

        var picker = (await host.SayAsync("new deal Pilot 10k for Jane")).Card(CardNames.ContactPicker);
        Assert.Equal(0, await host.WithDbAsync(db => db.Deals.CountAsync()));
        Assert.Contains("2. Jane Smith", picker.Card.ToJsonString());
        var replies = await host.ClickAsync(picker, "Choose", nth: 1);

        Assert.Contains("Added deal Pilot: 10,000 USD, Lead, Globex, for Jane Smith.", replies.Text());
        var deal = await host.WithDbAsync(db => db.Deals.SingleAsync());
        Assert.Equal((smith.Id, smith.CompanyId), (deal.ContactId, deal.CompanyId));
    }

    [Theory]
    [InlineData("new deal Acme expansion 25k for Nobody Known", "couldn't find a contact called \"Nobody Known\"")]
    [InlineData("new deal Acme expansion for Jane Doe", "How much is it worth?")]
    [InlineData("new deal 25k", "What should the deal be called?")]
    [InlineData("new deal Acme expansion 25k, closes someday", "couldn't read \"someday\" as a close date")]
    public async Task NewDeal_ThatCannotBeRead_SaysWhat_AndAddsNothing(string text, string expected)
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");

        var replies = await host.SayAsync(text);

        Assert.Contains(expected, replies.Text());
        Assert.Contains("Nothing was added", replies.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.Deals.CountAsync()));
    }

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

    // ---- recognition and help ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("add contact Bob Smith, bob@acme.com", Intent.CreateContact, "Bob Smith, bob@acme.com")]
    [InlineData("please add a new contact: Bob Smith", Intent.CreateContact, "Bob Smith")]
    [InlineData("create person Ann Lee", Intent.CreateContact, "Ann Lee")]
    [InlineData("new deal Acme expansion 25k", Intent.CreateDeal, "Acme expansion 25k")]
    [InlineData("add a deal - Globex pilot $5,000", Intent.CreateDeal, "Globex pilot $5,000")]
    [InlineData("new opportunity Initech 10k", Intent.CreateDeal, "Initech 10k")]
    public void CreateCommands_AreRecognized_WithTheirDetailsAsTyped(string text, Intent intent, string details)
    {
        var r = new Recognizer().Recognize(new CrmBot.Conversations.Engine.Utterance(text, new DateOnly(2026, 11, 25)));

        Assert.Equal((intent, details), (r.Intent, r.Details));
    }

    [Theory]
    [InlineData("add note to Jane Doe: call back")]
    [InlineData("new follow up with Jane tomorrow")]
    public void OtherAddCommands_AreNotCreates(string text)
    {
        var r = new Recognizer().Recognize(new CrmBot.Conversations.Engine.Utterance(text, new DateOnly(2026, 11, 25)));

        Assert.NotEqual(Intent.CreateContact, r.Intent);
        Assert.NotEqual(Intent.CreateDeal, r.Intent);
    }

    [Fact]
    public async Task TheNewHelpExamples_WorkExactlyAsWritten_OnTheDemoWorkspace()
    {
        using var host = new ConversationHost(s => s.AddChatFeature<DemoFeature>());
        await host.SayAsync("seed the demo");
        const string addContact = "add contact Bob Smith, bob@acme.com, +1 206 555 0100 at Acme";
        const string newDeal = "new deal Acme expansion 25k for Jane Doe, closes end of March";
        const string whoIs = "who is Acme";

        var help = Texts((await host.SayAsync("help")).Card(CardNames.Help).Card);
        Assert.All([addContact, newDeal, whoIs], example => Assert.Contains(example, help));

        Assert.Contains("Added contact Bob Smith (Acme Corporation): bob@acme.com · +12065550100.", (await host.SayAsync(addContact)).Text());
        Assert.Contains("Added deal Acme expansion: 25,000 USD, Lead, Acme Corporation, for Jane Doe, closes Wed 31 Mar 2027.",
            (await host.SayAsync(newDeal)).Text());
        var company = (await host.SayAsync(whoIs)).Card(CardNames.Company).FallbackText;
        Assert.Contains("Bob Smith", company);
        Assert.Contains("Acme expansion (Lead, 25,000 USD)", company);
    }

    /// <summary>"seed the demo": the demo workspace, owned by the member talking.</summary>
    private sealed class DemoFeature(DemoSeeder seeder) : IChatFeature
    {
        public IReadOnlyCollection<string> Verbs { get; } = [];
        public IEnumerable<HelpEntry> Help { get; } = [];
        public FeatureClaim? Claim(CrmBot.Conversations.Engine.Utterance utterance) => utterance.Folded == "seed the demo" ? new FeatureClaim("seed") : null;
        public Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct) => seeder.SeedAsync(context.Member, ct);
        public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;
    }
}

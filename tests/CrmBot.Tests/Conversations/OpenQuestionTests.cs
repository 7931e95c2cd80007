using CrmBot.Conversations.Cards;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// A question the bot asked never swallows the next command, never stores a command as an answer, and is never
/// asked a third time; typed "undo" reaches only the member's own latest change. The cases a new user hit on the
/// demo store, through the engine. Today is Wed 25 Nov 2026 (UTC).
/// </summary>
public class OpenQuestionTests
{
    private static Task<int> CountAsync<T>(ConversationHost host) where T : class =>
        host.WithDbAsync(db => db.Set<T>().CountAsync());

    [Fact]
    public async Task WhoIsAnUnknownName_AsksNothing_SoFollowUpsAndMyDealsAreThemselves()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();

        var unknown = await host.SayAsync("who is Bob Nobody");

        Assert.Contains("couldn't find a contact called \"Bob Nobody\"", unknown.Text());
        Assert.Equal(0, await CountAsync<DialogState>(host));
        (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);
        (await host.SayAsync("my deals")).Card(CardNames.Deals);
    }

    [Fact]
    public async Task ANewLogCommand_WhileNotesAreAsked_LeavesTheQuestion_AndLogsItself()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();
        var before = await host.WithDbAsync(db => db.Activities.Select(a => a.Id).ToListAsync());

        var notes = await host.SayAsync("log call with jane doe");
        Assert.Contains("Any notes?", notes.Text());
        var replies = await host.SayAsync("log meeting with Jürgen Müller: demo, follow up 12/24");

        Assert.Contains("Left the question about the notes for the call with Jane Doe", replies.Text());
        replies.Card(CardNames.ActivityLogged);
        var added = await host.WithDbAsync(db => db.Activities.Include(a => a.Contact).Where(a => !before.Contains(a.Id)).ToListAsync());
        var meeting = Assert.Single(added);
        Assert.Equal((ActivityType.Meeting, "Jürgen Müller", "demo"), (meeting.Type, meeting.Contact!.FullName, meeting.Notes));
        Assert.Equal(new DateTime(2026, 12, 24, 23, 59, 59, DateTimeKind.Utc),
            await host.WithDbAsync(db => db.FollowUps.Where(f => f.ActivityId == meeting.Id).Select(f => f.DueAt).SingleAsync()));
        Assert.Equal(0, await CountAsync<DialogState>(host));
    }

    [Fact]
    public async Task AMoveCommand_WhileTheCloseReasonIsAsked_IsNotStoredAsTheReason()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();

        // Proposal Sent to Won skips Negotiation: confirmed first, then the reason is asked.
        Assert.Contains("Agreement signed", (await host.SayAsync("move muller line upgrade to won")).Text());
        Assert.Contains("Why is Müller line upgrade", (await host.SayAsync("yes")).Text());
        var replies = await host.SayAsync("move Müller line upgrade to closed won");

        Assert.Contains("Left the question about the reason Müller line upgrade is closed won", replies.Text());
        Assert.Contains("Agreement signed", replies.Text());
        var deal = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Name == "Müller line upgrade"));
        Assert.NotEqual("Closed Won", deal.Stage);
        Assert.Null(deal.CloseReason);

        Assert.Contains("Why is Müller line upgrade", (await host.SayAsync("yes")).Text());
        await host.SayAsync("signed after the on-site demo");
        deal = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Name == "Müller line upgrade"));
        Assert.Equal(("Closed Won", "signed after the on-site demo"), (deal.Stage, deal.CloseReason));
    }

    [Fact]
    public async Task NotesThatReadLikeACommand_AreConfirmedBeforeTheyAreStored()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe", "Acme");
        await host.SayAsync("log call with Jane Doe");

        var held = await host.SayAsync("called about pricing, she wants a discount");

        var question = held.Card(CardNames.ContactPicker);
        Assert.Contains("Save \"called about pricing, she wants a discount\" as the notes for the call with Jane Doe?", question.FallbackText);
        Assert.Equal(0, await CountAsync<Activity>(host));
        await host.ClickAsync(question, "Yes, save it as the notes for the call with Jane Doe");

        var call = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((jane.Id, ActivityType.Call, "called about pricing, she wants a discount"), (call.ContactId, call.Type, call.Notes));
    }

    [Fact]
    public async Task ABareNumberAsNotes_IsConfirmed_NotStored()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        await host.SayAsync("log call with Jane Doe");

        var held = await host.SayAsync("2");

        Assert.Contains("Save \"2\" as the notes for the call with Jane Doe?", held.Text());
        Assert.Equal(0, await CountAsync<Activity>(host));
        await host.SayAsync("no");
        Assert.Equal(0, await CountAsync<Activity>(host));
        Assert.Equal(0, await CountAsync<DialogState>(host));
    }

    [Fact]
    public async Task NotesThatReadLikeACommand_AnsweredNo_RunAsTheCommand()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        var bob = await host.ContactAsync("Bob", "Smith", "Initech");
        await host.SayAsync("log call with Jane Doe");
        await host.SayAsync("called Bob Smith about pricing");

        var replies = await host.SayAsync("no");

        replies.Card(CardNames.ActivityLogged);
        var call = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((bob.Id, "pricing"), (call.ContactId, call.Notes));
    }

    [Fact]
    public async Task ALogWithoutAColon_TakesTheLongestNameThatMatches_AndTheRestAsNotes()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();
        var before = await host.WithDbAsync(db => db.Activities.Select(a => a.Id).ToListAsync());

        var replies = await host.SayAsync("emailed peter gibbons the revised quote, follow up end of week");

        replies.Card(CardNames.ActivityLogged);
        var email = await host.WithDbAsync(db => db.Activities.Include(a => a.Contact).SingleAsync(a => !before.Contains(a.Id)));
        Assert.Equal((ActivityType.Email, "Peter Gibbons", "the revised quote"), (email.Type, email.Contact!.FullName, email.Notes));
        Assert.Equal(new DateTime(2026, 11, 27, 23, 59, 59, DateTimeKind.Utc),
            await host.WithDbAsync(db => db.FollowUps.Where(f => f.ActivityId == email.Id).Select(f => f.DueAt).SingleAsync()));
        Assert.Equal(0, await CountAsync<DialogState>(host));
    }

    [Fact]
    public async Task AQuestionInAnotherLanguage_IsNotAContactSearch()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();

        var replies = await host.SayAsync("¿qué tal?");

        Assert.Contains("didn't understand \"¿qué tal?\"", replies.Text());
        Assert.Equal(0, await CountAsync<DialogState>(host));
        (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);
    }

    [Fact]
    public async Task AnUnknownName_OffersAnotherTry_AndIsNeverAskedAThirdTime()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");

        var first = await host.SayAsync("log call with Zebulon Quux: hello");
        Assert.Contains("couldn't find a contact called \"Zebulon Quux\"", first.Text());
        var second = await host.SayAsync("Xavier Nobody");
        Assert.Contains("couldn't find a contact called \"Xavier Nobody\". Add them as a new contact, or cancel.", second.Text());
        Assert.DoesNotContain("Try another name", second.Card(CardNames.ContactPicker).Card.ToJsonString());

        // A third name is no answer: asked to pick once more, then the question is left.
        Assert.Contains("Please pick one", (await host.SayAsync("Yolanda Nobody")).Text());
        Assert.Contains("left the question", (await host.SayAsync("Zed Nobody")).Text());
        Assert.Equal(0, await CountAsync<DialogState>(host));
        Assert.Equal(0, await CountAsync<Activity>(host));
        Assert.Equal(1, await CountAsync<Contact>(host));
    }

    [Fact]
    public async Task ALogWithAnUnknownContact_AddsThemInOneTap_AndLogs()
    {
        using var host = new ConversationHost();
        var offer = (await host.SayAsync("log call with Zebulon Quux: intro, follow up Friday")).Card(CardNames.ContactPicker);

        var replies = await host.ClickAsync(offer, "Add \"Zebulon Quux\" as a new contact");

        Assert.Contains("Added contact Zebulon Quux.", replies.Text());
        replies.Card(CardNames.ActivityLogged);
        var call = await host.WithDbAsync(db => db.Activities.Include(a => a.Contact).SingleAsync());
        Assert.Equal(("Zebulon", "Quux", "intro"), (call.Contact!.FirstName, call.Contact.LastName, call.Notes));
        Assert.Equal(1, await CountAsync<FollowUp>(host));
    }

    [Fact]
    public async Task ANonNameAnswer_IsAskedAgainOnce_ThenTheQuestionIsLeft()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        Assert.Contains("Who was the call with?", (await host.SayAsync("log call")).Text());

        var again = await host.SayAsync("42");
        Assert.Contains("Who was the call with?", again.Text());
        var left = await host.SayAsync("??? !!!");

        Assert.Contains("left the question about who the call was with", left.Text());
        Assert.Equal(0, await CountAsync<DialogState>(host));
    }

    [Fact]
    public async Task TheFirstDateThatDependsOnTheOrder_IsConfirmed_AndTheAnswerIsKept()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Bob", "Smith");

        var question = (await host.SayAsync("log call with Jane Doe: pricing, follow up 1/5")).Card(CardNames.ContactPicker);

        Assert.Contains("By \"1/5\", do you mean Tue 5 Jan or Sat 1 May?", question.FallbackText);
        Assert.Equal(0, await CountAsync<Activity>(host));
        var replies = await host.SayAsync("2");
        Assert.Contains("I'll read dates like 1/5 as day/month from now on", replies.Text());
        Assert.Equal(new DateTime(2027, 5, 1, 23, 59, 59, DateTimeKind.Utc), await host.WithDbAsync(db => db.FollowUps.Select(f => f.DueAt).SingleAsync()));
        Assert.Equal(DateOrder.DayFirst, (await host.MeAsync()).DateOrder);

        // Asked once: the next one is read day first at once.
        (await host.SayAsync("log call with Bob Smith: terms, follow up 2/5")).Card(CardNames.ActivityLogged);
        Assert.Contains(new DateTime(2027, 5, 2, 23, 59, 59, DateTimeKind.Utc), await host.WithDbAsync(db => db.FollowUps.Select(f => f.DueAt).ToListAsync()));
    }

    [Fact]
    public async Task TypedUndo_OnAFreshDemoStore_UndoesNothing()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();
        var activities = await CountAsync<Activity>(host);
        var followUps = await CountAsync<FollowUp>(host);

        for (var i = 0; i < 3; i++)
            Assert.Contains("nothing to undo", (await host.SayAsync("undo")).Text());

        Assert.Equal((activities, followUps), (await CountAsync<Activity>(host), await CountAsync<FollowUp>(host)));
    }

    [Fact]
    public async Task TypedUndo_TakesBackOnlyTheLatestChange_Once_AndOnlyWithinTenMinutes()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Bob", "Smith");
        await host.SayAsync("log call with Jane Doe: first");
        await host.SayAsync("log call with Bob Smith: second, follow up Friday: send the deck");

        var undone = await host.SayAsync("undo");

        Assert.Contains("Undone: the call with Bob Smith and its follow-up \"Send the deck\"", undone.Text());
        Assert.Equal(["first"], await host.WithDbAsync(db => db.Activities.Select(a => a.Notes).ToListAsync()));
        Assert.Contains("already undone", (await host.SayAsync("undo")).Text());
        Assert.Equal(1, await CountAsync<Activity>(host));

        await host.SayAsync("log call with Bob Smith: third");
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Contains("nothing to undo", (await host.SayAsync("undo")).Text());
        Assert.Equal(2, await CountAsync<Activity>(host));
    }

    [Fact]
    public async Task TypedUndo_RightAfterAddingAContactOrADeal_TakesBackThat_NotAnOlderLog()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        await host.SayAsync("log call with Jane Doe: pricing");
        await host.SayAsync("add contact Bob Smith, bob@initech.example at Initech");

        var contact = await host.SayAsync("undo");

        Assert.Contains("Undone: adding Bob Smith and the company Initech", contact.Text());
        Assert.Equal(["Jane Doe"], await host.WithDbAsync(db => db.Contacts.Select(c => c.FirstName + " " + c.LastName).ToListAsync()));
        Assert.Equal(["Acme"], await host.WithDbAsync(db => db.Companies.Select(c => c.Name).ToListAsync()));
        Assert.Equal(1, await CountAsync<Activity>(host));

        await host.SayAsync("new deal Acme expansion 25k for Jane Doe");
        Assert.Equal(1, await CountAsync<Deal>(host));
        Assert.Contains("Undone: adding the deal Acme expansion", (await host.SayAsync("undo")).Text());
        Assert.Equal(0, await CountAsync<Deal>(host));
        Assert.Equal(1, await CountAsync<Activity>(host));
    }

    [Fact]
    public async Task TypedUndo_TakesBackAStageMove()
    {
        using var host = new ConversationHost();
        await host.DealAsync("Acme renewal", "Proposal");
        await host.SayAsync("move acme renewal to negotiation");

        var undone = await host.SayAsync("undo");

        Assert.Contains("Undone: moving Acme renewal to Negotiation", undone.Text());
        var deal = await host.WithDbAsync(db => db.Deals.Include(d => d.StageHistory).SingleAsync());
        Assert.Equal("Proposal Sent", deal.Stage);
        Assert.DoesNotContain(deal.StageHistory, h => h.ToStage == "Negotiation");
    }

    [Fact]
    public async Task ALog_WithTheContactsOneOpenDeal_IsLinkedToIt_AndWithSeveral_AsksWhich()
    {
        using var host = new ConversationHost();
        await host.SeedDemoAsync();
        var line = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Name == "Müller line upgrade"));

        var one = await host.SayAsync("log call with Jürgen Müller: delivery dates");
        Assert.Contains("(deal: Müller line upgrade)", one.Card(CardNames.ActivityLogged).FallbackText);
        Assert.Equal(line.Id, await host.WithDbAsync(db => db.Activities.Where(a => a.Notes == "delivery dates").Select(a => a.DealId).SingleAsync()));

        var jane = await host.WithDbAsync(db => db.Contacts.SingleAsync(c => c.FirstName == "Jane" && c.LastName == "Doe"));
        var extra = await host.DealAsync("Acme support plan");
        await host.WithDbAsync(async db => { (await db.Deals.SingleAsync(d => d.Id == extra.Id)).ContactId = jane.Id; return await db.SaveChangesAsync(); });
        var which = (await host.SayAsync("log call with Jane Doe: support pricing")).Card(CardNames.ContactPicker);
        Assert.Contains("Jane Doe has 2 open deals", which.FallbackText);
        Assert.Contains("2. Acme support plan", which.Card.ToJsonString());
        await host.ClickAsync(which, "Choose", nth: 1);

        Assert.Equal(extra.Id, await host.WithDbAsync(db => db.Activities.Where(a => a.Notes == "support pricing").Select(a => a.DealId).SingleAsync()));

        // The deal card lists the deal's activities.
        var card = (await host.SayAsync("deal Acme support plan")).Card(CardNames.Deal);
        Assert.Contains("25 Nov · Call with Jane Doe by Rita Rep: support pricing", card.FallbackText);
        Assert.Contains("Call with Jane Doe by Rita Rep: support pricing", card.Card.ToJsonString());
        Assert.DoesNotContain("delivery dates", card.FallbackText);
    }
}

using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Features;
using CrmBot.Crm.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.Tests.Conversations;

/// <summary>Whole conversations through IBot.OnTurnAsync on a real SQLite store. Today is Wed 25 Nov 2026 (UTC).</summary>
public class ConversationFlowTests
{
    [Fact]
    public async Task OneMessage_LogsTheCall_AndItsFollowUp_WithUndoOnTheCard()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe", "Acme");

        var replies = await host.SayAsync("log call with Jane Doe: discussed renewal pricing, follow up next Tuesday");

        var card = replies.Card(CardNames.ActivityLogged);
        var activity = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((jane.Id, ActivityType.Call, "discussed renewal pricing"), (activity.ContactId, activity.Type, activity.Notes));
        var followUp = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal("Follow up with Jane Doe", followUp.Title);
        Assert.Equal(new DateTime(2026, 12, 1, 23, 59, 59, DateTimeKind.Utc), followUp.DueAt);
        Assert.Equal(activity.Id, followUp.ActivityId);
        Assert.Contains(ConversationHost.Actions(card.Card), a => a["data"]?["verb"]?.GetValue<string>() == LogActivityFeature.UndoVerb);
        Assert.Contains("Tue 1 Dec", card.Card.ToJsonString());

        var undone = await host.ClickAsync(card, "Undo");

        Assert.Contains("Undone", undone.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.FollowUps.CountAsync()));
        var again = await host.ClickAsync(card, "Undo");
        Assert.Contains("already gone", again.Text());
    }

    [Fact]
    public async Task Logged_FollowUp_IsListed_DoneRemovesIt_AndAStaleDoneIsPolite()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        await host.SayAsync("log call w/ Jane Doe: pricing, f/u today: send the quote");

        var list = (await host.SayAsync("what's due today?")).Card(CardNames.FollowUps);
        Assert.Contains("Send the quote", list.FallbackText);

        var afterDone = await host.ClickAsync(list, "Done");

        var updated = afterDone.Card(CardNames.FollowUps);
        Assert.True(updated.ReplacesSource);
        Assert.Contains("Done: Send the quote", updated.FallbackText);
        Assert.DoesNotContain("1. Send the quote", updated.FallbackText);
        Assert.DoesNotContain(ConversationHost.Actions(updated.Card), a => a["title"]?.GetValue<string>() == "Done");
        var followUp = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal(FollowUpStatus.Done, followUp.Status);

        var stale = await host.ClickAsync(list, "Done");
        Assert.Contains("already done", stale.Card(CardNames.FollowUps).FallbackText);
        Assert.True(stale.Card(CardNames.FollowUps).ReplacesSource);
    }

    [Fact]
    public async Task Snooze_FromTheCard_MovesItOutOfToday()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.SayAsync("log call with Jane Doe: pricing, follow up today");
        var list = (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);

        var replies = await host.ClickAsync(list, "Snooze 1 week");

        Assert.Contains("Snoozed", replies.Card(CardNames.FollowUps).FallbackText);
        Assert.Contains("Nothing due today", replies.Card(CardNames.FollowUps).FallbackText);
        var item = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal(new DateTime(2026, 12, 2, 23, 59, 59, DateTimeKind.Utc), item.DueAt);
    }

    [Fact]
    public async Task DoneByNumber_CompletesThatItem()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Bob", "Smith");
        await host.SayAsync("log call with Jane Doe: a, follow up today: first");
        await host.SayAsync("log call with Bob Smith: b, follow up today: second");

        var replies = await host.SayAsync("done 2");

        Assert.Contains("Done: Second", replies.Text());
        var statuses = await host.WithDbAsync(db => db.FollowUps.OrderBy(f => f.Id).Select(f => f.Status).ToListAsync());
        Assert.Equal([FollowUpStatus.Open, FollowUpStatus.Done], statuses);
    }

    [Fact]
    public async Task AmbiguousContact_ShowsAPicker_AndTheChoiceIsLogged()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        var smith = await host.ContactAsync("Jane", "Smith", "Globex");

        var picker = (await host.SayAsync("log call with Jane: discussed pricing")).Card(CardNames.ContactPicker);
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));

        var replies = await host.ClickAsync(picker, "Choose", nth: 1);

        replies.Card(CardNames.ActivityLogged);
        var activity = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((smith.Id, "discussed pricing"), (activity.ContactId, activity.Notes));
    }

    [Fact]
    public async Task AmbiguousContact_CanBeAnsweredByTypingTheNumber()
    {
        using var host = new ConversationHost();
        var doe = await host.ContactAsync("Jane", "Doe", "Acme");
        await host.ContactAsync("Jane", "Smith", "Globex");
        var picker = (await host.SayAsync("called jane about pricing")).Card(CardNames.ContactPicker);
        Assert.Contains("1. Jane Doe", picker.FallbackText);

        await host.SayAsync("1");

        Assert.Equal(doe.Id, (await host.WithDbAsync(db => db.Activities.SingleAsync())).ContactId);
    }

    [Fact]
    public async Task UnknownName_AsksDidYouMean_WithAnotherTry()
    {
        using var host = new ConversationHost();
        var doe = await host.ContactAsync("Jane", "Doe", "Acme");

        var replies = await host.SayAsync("log call with Jane Dow: pricing");

        var picker = replies.Card(CardNames.ContactPicker);
        Assert.Contains("Did you mean", picker.FallbackText);
        var none = await host.ClickAsync(picker, "Try another name");
        Assert.Contains("Who was the call with?", none.Text());
        await host.SayAsync("Jane Doe");
        Assert.Equal(doe.Id, (await host.WithDbAsync(db => db.Activities.SingleAsync())).ContactId);
    }

    [Fact]
    public async Task NobodyMatches_SaysSo_AndOffersAnotherTryOrCancel()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe");

        var replies = await host.SayAsync("log call with Zebulon Quux: hello");

        var offer = replies.Card(CardNames.ContactPicker);
        Assert.Contains("couldn't find a contact called \"Zebulon Quux\". Type another name, add them as a new contact, or cancel.", offer.FallbackText);
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
        Assert.Contains("Who was the call with?", (await host.ClickAsync(offer, "Try another name")).Text());
        await host.SayAsync("Jane Doe");
        Assert.Equal((jane.Id, "hello"), await host.WithDbAsync(db => db.Activities.Select(a => ValueTuple.Create(a.ContactId, a.Notes)).SingleAsync()));
    }

    [Fact]
    public async Task NobodyMatches_Cancel_SavesNothing()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        var offer = (await host.SayAsync("log call with Zebulon Quux: hello")).Card(CardNames.ContactPicker);

        var replies = await host.ClickAsync(offer, "Cancel");

        Assert.Contains("nothing was saved", replies.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.DialogStates.CountAsync()));
    }

    [Fact]
    public async Task MissingType_AndNotes_AreAskedFor_NotGuessed()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");

        var first = await host.SayAsync("log Jane Doe");
        Assert.Contains("What kind of activity", first.Text());
        var second = await host.SayAsync("meeting");
        Assert.Contains("notes", second.Text(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
        await host.SayAsync("went through the demo");

        var activity = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((ActivityType.Meeting, "went through the demo"), (activity.Type, activity.Notes));
    }

    [Fact]
    public async Task Cancel_MidFlow_LeavesIt_AndNothingIsWritten()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Jane", "Smith");
        await host.SayAsync("log call with Jane: pricing");

        var replies = await host.SayAsync("never mind");

        Assert.Contains("stopped", replies.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.DialogStates.CountAsync()));
        var next = await host.SayAsync("1");
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
        next.Card(CardNames.Help);
    }

    [Fact]
    public async Task Restart_MidFlow_ContinuesFromTheStore()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        var smith = await host.ContactAsync("Jane", "Smith", "Globex");
        var picker = (await host.SayAsync("log mtg w/ Jane: kickoff, f/u Fri")).Card(CardNames.ContactPicker);

        host.Restart();
        var replies = await host.ClickAsync(picker, "Choose", nth: 1);

        replies.Card(CardNames.ActivityLogged);
        var activity = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((smith.Id, ActivityType.Meeting), (activity.ContactId, activity.Type));
        var followUp = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal(new DateTime(2026, 11, 27, 23, 59, 59, DateTimeKind.Utc), followUp.DueAt);
        Assert.Equal(0, await host.WithDbAsync(db => db.DialogStates.CountAsync()));
    }

    [Fact]
    public async Task AFlowIdleForHalfAnHour_StartsFresh()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Jane", "Smith");
        await host.SayAsync("log call with Jane: pricing");

        host.Clock.Advance(TimeSpan.FromMinutes(31));
        var replies = await host.SayAsync("1");

        replies.Card(CardNames.Help);
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
    }

    [Fact]
    public async Task AStalePickerButton_FromAnOlderFlow_IsAnsweredPolitely()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Jane", "Smith");
        var oldPicker = (await host.SayAsync("log call with Jane: one")).Card(CardNames.ContactPicker);
        await host.SayAsync("cancel");
        await host.SayAsync("log call with Jane: two");

        var replies = await host.ClickAsync(oldPicker, "Choose", nth: 0);

        Assert.Contains("isn't open any more", replies.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
    }

    [Fact]
    public async Task APastFollowUpDate_IsQuestioned_AndCanBeChanged()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");

        var question = await host.SayAsync("log call with Jane Doe: pricing, follow up yesterday");
        Assert.Contains("is in the past", question.Text());
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
        var which = await host.SayAsync("no");
        Assert.Contains("Which date", which.Text());
        await host.SayAsync("tomorrow");

        var followUp = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal(new DateTime(2026, 11, 26, 23, 59, 59, DateTimeKind.Utc), followUp.DueAt);
    }

    [Fact]
    public async Task APastFollowUpDate_ConfirmedWithYes_IsKept()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.SayAsync("log call with Jane Doe: pricing, follow up Nov 20");

        await host.SayAsync("yes");

        var followUp = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal(new DateTime(2026, 11, 20, 23, 59, 59, DateTimeKind.Utc), followUp.DueAt);
    }

    [Fact]
    public async Task ABadAnswer_IsAskedAgain_AndAClearCommand_LeavesTheFlow()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        await host.SayAsync("log call with Jane Doe: pricing, follow up");

        var retry = await host.SayAsync("whenever");
        Assert.Contains("I need a date", retry.Text());

        var list = await host.SayAsync("follow-ups");
        list.Card(CardNames.FollowUps);
        Assert.Equal(0, await host.WithDbAsync(db => db.DialogStates.CountAsync()));
    }

    [Fact]
    public async Task LogForm_WithAnInvalidDate_AnswersFieldErrors_AndWritesNothing()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        var form = (await host.SayAsync("log")).Card(CardNames.LogForm);

        var replies = await host.ClickAsync(form, "Log it", inputs: new JsonObject
        {
            ["contact"] = "Jane Doe", ["type"] = "Call", ["notes"] = "x", ["followUpTitle"] = "Send deck", ["followUpDate"] = "2026-02-30",
        });

        var errors = Assert.IsType<FieldErrorsReply>(Assert.Single(replies));
        Assert.Contains("followUpDate", errors.Errors.Keys);
        Assert.Equal(0, await host.WithDbAsync(db => db.Activities.CountAsync()));
    }

    [Fact]
    public async Task LogForm_Submitted_LogsWithItsFollowUp()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe");
        var form = (await host.SayAsync("log")).Card(CardNames.LogForm);

        var replies = await host.ClickAsync(form, "Log it", inputs: new JsonObject
        {
            ["contact"] = "jane doe", ["type"] = "Email", ["notes"] = "sent deck", ["followUpTitle"] = "Check they read it", ["followUpDate"] = "2026-12-03",
        });

        replies.Card(CardNames.ActivityLogged);
        var activity = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((jane.Id, ActivityType.Email), (activity.ContactId, activity.Type));
        Assert.Equal("Check they read it", (await host.WithDbAsync(db => db.FollowUps.SingleAsync())).Title);
    }

    [Theory]
    [InlineData("the weather is nice")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("🙂")]
    [InlineData("{\"verb\":1}")]
    public async Task UnknownInput_GetsTheHelpCard(string text)
    {
        using var host = new ConversationHost();

        var replies = await host.SayAsync(text);

        replies.Card(CardNames.Help);
        Assert.DoesNotContain(host.Logs, l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task FollowUpCard_LogCall_OpensThePrefilledForm_AndLogsForThatContact()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe");
        var bob = await host.ContactAsync("Bob", "Smith");
        await host.SayAsync("follow up with Bob Smith today: check in");
        var list = (await host.SayAsync("follow-ups")).Card(CardNames.FollowUps);

        var form = (await host.ClickAsync(list, "Log call")).Card(CardNames.LogForm);
        Assert.Contains("Bob Smith", form.Card.ToJsonString());
        await host.ClickAsync(form, "Log it", inputs: new JsonObject { ["contact"] = "Bob Smith", ["type"] = "Call", ["notes"] = "checked in" });

        var activity = await host.WithDbAsync(db => db.Activities.SingleAsync());
        Assert.Equal((bob.Id, ActivityType.Call, "checked in"), (activity.ContactId, activity.Type, activity.Notes));
    }

    [Fact]
    public async Task AddFollowUp_FromTheLoggedCard()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe");
        var logged = (await host.SayAsync("log call with Jane Doe: pricing")).Card(CardNames.ActivityLogged);

        var bad = await host.ClickAsync(logged, "Add", inputs: new JsonObject { ["followUpTitle"] = "Send deck", ["followUpDate"] = "someday" });
        Assert.Contains("followUpDate", Assert.IsType<FieldErrorsReply>(Assert.Single(bad)).Errors.Keys);
        await host.ClickAsync(logged, "Add", inputs: new JsonObject { ["followUpTitle"] = "Send deck", ["followUpDate"] = "2026-12-03" });

        var item = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal((jane.Id, "Send deck", new DateTime(2026, 12, 3, 23, 59, 59, DateTimeKind.Utc)), (item.ContactId, item.Title, item.DueAt));
    }

    [Theory]
    [InlineData("""{"verb":1}""")]
    [InlineData("""{"verb":null}""")]
    [InlineData("""{"id":5}""")]
    public async Task CardDataWithoutAVerb_GetsHelp(string json)
    {
        using var host = new ConversationHost();

        var replies = await host.ClickAsync(JsonNode.Parse(json)!.AsObject());

        replies.Card(CardNames.Help);
    }

    [Fact]
    public async Task UnknownVerb_GetsHelp_NotAnError()
    {
        using var host = new ConversationHost();

        var replies = await host.ClickAsync(new JsonObject { ["verb"] = "no.such.verb" });

        replies.Card(CardNames.Help);
    }

    [Fact]
    public async Task AnExceptionInATurn_IsLoggedWithTheTurnId_Apologised_AndTheFlowIsKept()
    {
        using var host = new ConversationHost(s => s.AddChatFeature<ExplodingFeature>());
        await host.ContactAsync("Jane", "Doe");
        var smith = await host.ContactAsync("Jane", "Smith");
        await host.SayAsync("log call with Jane: pricing");

        var replies = await host.SayAsync("explode");

        var apology = replies.Card(CardNames.Error);
        Assert.Contains("Sorry", apology.FallbackText);
        var error = Assert.Single(host.Logs, l => l.Level == LogLevel.Error);
        Assert.Contains("turn-2", error.Message);
        Assert.IsType<InvalidOperationException>(error.Exception);
        await host.SayAsync("2");
        Assert.Equal(smith.Id, (await host.WithDbAsync(db => db.Activities.SingleAsync())).ContactId);
    }

    [Fact]
    public async Task ContactSummary_ShowsCompanyDealsActivities()
    {
        using var host = new ConversationHost();
        await host.ContactAsync("Jane", "Doe", "Acme");
        await host.SayAsync("log call with Jane Doe: discussed renewal pricing, follow up next Tuesday");

        var card = (await host.SayAsync("who is jane doe?")).Card(CardNames.ContactSummary);

        Assert.Contains("Acme", card.FallbackText);
        Assert.Contains("discussed renewal pricing", card.Card.ToJsonString());
        Assert.Contains("Follow up with Jane Doe", card.FallbackText);
    }

    [Fact]
    public async Task DealToWon_AsksWhy_ThenMoves()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Negotiation");

        var why = await host.SayAsync("move acme renewal to won");
        Assert.Contains("Why is Acme renewal closed won", why.Text());
        var moved = await host.SayAsync("budget approved");

        var card = moved.Card(CardNames.DealStageChanged);
        Assert.Contains("Negotiation → Closed Won", card.FallbackText);
        var stored = await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id));
        Assert.Equal(("Closed Won", "budget approved"), (stored.Stage, stored.CloseReason));
    }

    [Fact]
    public async Task DealCard_StagePicker_MovesTheDeal()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Globex pilot", "Lead");
        var card = (await host.SayAsync("deal globex pilot")).Card(CardNames.Deal);
        Assert.Contains("Budget known", card.Card.ToJsonString());

        var closing = await host.ClickAsync(card, "Change stage", inputs: new JsonObject { ["stage"] = "Closed Lost" });
        Assert.Contains("reason", Assert.IsType<FieldErrorsReply>(Assert.Single(closing)).Errors.Keys);
        var moved = await host.ClickAsync(card, "Change stage", inputs: new JsonObject { ["stage"] = "Qualified" });

        moved.Card(CardNames.DealStageChanged);
        Assert.Equal("Qualified", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);
    }

    [Fact]
    public async Task UnknownStage_ShowsTheValidStages_AndChangesNothing()
    {
        using var host = new ConversationHost();
        var deal = await host.DealAsync("Acme renewal", "Lead");

        var replies = await host.SayAsync("move acme renewal to purgatory");

        Assert.Contains("isn't a stage", replies.Card(CardNames.Deal).FallbackText);
        Assert.Equal("Lead", (await host.WithDbAsync(db => db.Deals.SingleAsync(d => d.Id == deal.Id))).Stage);
    }

    [Fact]
    public async Task MyDeals_ListsOpenDeals()
    {
        using var host = new ConversationHost();
        await host.DealAsync("Acme renewal", "Proposal Sent");
        await host.DealAsync("Old thing", "Closed Lost");

        var card = (await host.SayAsync("my deals")).Card(CardNames.Deals);

        Assert.Contains("Acme renewal", card.FallbackText);
        Assert.DoesNotContain("Old thing", card.FallbackText);
    }

    [Fact]
    public async Task AddFollowUp_WithoutALog()
    {
        using var host = new ConversationHost();
        var jane = await host.ContactAsync("Jane", "Doe");

        var replies = await host.SayAsync("follow up with Jane Doe tomorrow: send contract");

        Assert.Contains("Follow-up set", replies.Text());
        var item = await host.WithDbAsync(db => db.FollowUps.SingleAsync());
        Assert.Equal((jane.Id, "send contract"), (item.ContactId, item.Title));
    }

    [Fact]
    public async Task TwoInstancesRacingOnOneFlow_TheFirstWriteStands()
    {
        using var host = new ConversationHost(s => s.AddChatFeature<RacingFeature>());
        await host.ContactAsync("Jane", "Doe");
        await host.ContactAsync("Jane", "Smith");
        await host.SayAsync("log call with Jane: pricing");
        RacingFeature.Store = host.Store;

        // This turn reads the flow, then "another instance" moves it on before this turn saves.
        var replies = await host.SayAsync("race");

        Assert.Contains("raced", replies.Text());
        var state = await host.WithDbAsync(db => db.DialogStates.SingleAsync());
        Assert.Equal("written elsewhere", state.DialogName);
        Assert.Contains(host.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("another instance"));
    }

    private sealed class RacingFeature : IChatFeature
    {
        public static TestStore? Store { get; set; }
        public IReadOnlyCollection<string> Verbs { get; } = [];
        public IEnumerable<HelpEntry> Help { get; } = [];
        public FeatureClaim? Claim(Utterance utterance) => utterance.Folded == "race" ? new FeatureClaim("race") : null;

        public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
        {
            await using (var other = Store!.NewContext())
            {
                var row = await other.DialogStates.SingleAsync(ct);
                row.DialogName = "written elsewhere";
                row.Version++;
                await other.SaveChangesAsync(ct);
            }
            await context.BeginDialogAsync<ContactFlowDialog>(new ContactFlowState { Purpose = ContactFlowPurpose.Summary }, ct);
            context.ReplyText("raced");
        }

        public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>A command that fails, to see what a failing turn does to the flow.</summary>
    private sealed class ExplodingFeature : IChatFeature
    {
        public IReadOnlyCollection<string> Verbs { get; } = [];
        public IEnumerable<HelpEntry> Help { get; } = [];
        public FeatureClaim? Claim(Utterance utterance) => utterance.Folded == "explode" ? new FeatureClaim("explode") : null;
        public Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct) => throw new InvalidOperationException("boom");
        public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;
    }
}

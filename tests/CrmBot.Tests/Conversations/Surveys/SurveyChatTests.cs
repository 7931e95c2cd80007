using CrmBot.Tests.Crm.Surveys;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using CrmBot.Tests.Conversations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.Tests.Conversations.Surveys;

/// <summary>Surveys through the real engine (IBot), as every channel drives it, over real SQLite.</summary>
public sealed class SurveyChatTests : IDisposable
{
    private static readonly ChatUser Ada = new("slack", "T1", "U-ada", "Ada Admin", "UTC");
    private static readonly ChatUser Rita = new("slack", "T1", "U-rita", "Rita Rep", "UTC");
    private static readonly string Key = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConversationHost _host;

    public SurveyChatTests()
    {
        ConversationHost? host = null;
        _host = host = new ConversationHost(services =>
        {
            services.AddSurveyChat();
            services.Configure<CrmOptions>(o => o.Admins.Add("U-ada"));
            services.Configure<FeedbackOptions>(o => o.ParticipationKey = Key);   // no key file from a test
            services.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
            // The store's own log (every SQL command) goes to the same capture.
            services.AddScoped(sp => new CrmDbContext(
                new DbContextOptionsBuilder<CrmDbContext>(host!.Store.Options).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Options,
                host.Clock));
        });
    }

    public void Dispose() => _host.Dispose();

    private Task<IReadOnlyList<Reply>> As(ChatUser user, string text)
    {
        _host.Rep = user;
        _host.ConversationId = "D-" + user.UserId;
        return _host.SayAsync(text);
    }

    private Task<IReadOnlyList<Reply>> Click(ChatUser user, JsonObject data)
    {
        _host.Rep = user;
        _host.ConversationId = "D-" + user.UserId;
        return _host.ClickAsync(data);
    }

    private static JsonObject Form(params (string Key, string Value)[] fields)
    {
        var data = new JsonObject { ["verb"] = SurveyFeature.CreateVerb, ["conversationId"] = "D-U-ada", ["conversationChannel"] = "slack", ["inChannel"] = false };
        foreach (var (k, v) in fields) data[k] = v;
        return data;
    }

    private async Task<int> CreateSurveyAsync(int minimum = 3)
    {
        var replies = await Click(Ada, Form(("title", "Pulse"), ("q1", "Ease of use"), ("q1Type", "rating"),
            ("q2", "Training enough?"), ("q2Type", "single"), ("q2Choices", "Yes, Partly, No"),
            ("q3", "One thing to change"), ("q3Type", "text"), ("closesOn", "2026-12-04"), ("minResponses", minimum.ToString())));
        Assert.Contains("is sent to", replies.Text());
        return await _host.WithDbAsync(db => db.Surveys.MaxAsync(s => s.Id));
    }

    private static JsonObject Answer(int surveyId, string rating, string choice, string text) =>
        new() { ["verb"] = SurveyFeature.AnswerVerb, ["surveyId"] = surveyId, ["a1"] = rating, ["a2"] = choice, ["a3"] = text };

    [Fact]
    public async Task SurveyNew_ShowsTheFormToAnAdmin_AndRefusesAMember()
    {
        var form = (await As(Ada, "survey new")).Card(CardNames.SurveyForm);
        Assert.Contains("\"id\":\"q8Choices\"", form.Card.ToJsonString());

        var pulse = (await _host.ClickAsync(form, "Fill in the post-rollout pulse")).Card(CardNames.SurveyForm);
        Assert.True(pulse.ReplacesSource);
        Assert.Contains("Was the training enough?", pulse.Card.ToJsonString());

        var refused = await As(Rita, "survey new");
        Assert.Empty(refused.OfType<CardReply>());
        Assert.Contains("Only admins", refused.Text());
        var forged = await Click(Rita, Form(("title", "Sneaky"), ("q1", "Q"), ("q1Type", "rating")));
        Assert.Contains("Only admins", forged.Text());
        Assert.Equal(0, await _host.WithDbAsync(db => db.Surveys.CountAsync()));
    }

    [Fact]
    public async Task Create_SendsOneDirectMessagePerMemberThroughTheOutbox()
    {
        await As(Rita, "help");   // Rita exists now
        var id = await CreateSurveyAsync();

        var outbox = await _host.WithDbAsync(db => db.Outbox.OrderBy(o => o.Id).ToListAsync());
        Assert.Equal(2, outbox.Count);   // Ada and Rita
        Assert.All(outbox, o => Assert.Equal(SurveyDelivery.SurveyKind, o.Kind));
        Assert.Equal(2, outbox.Select(o => o.MemberId).Distinct().Count());
        Assert.All(outbox, o => Assert.StartsWith($"survey:{id}:", o.DedupeKey));
        Assert.Contains(CardNames.SurveyInvite, outbox[0].PayloadJson);
        Assert.Contains("survey.open", outbox[0].PayloadJson);
    }

    [Fact]
    public async Task Create_InvalidForm_AnswersWithFieldErrors_AndWritesNothing()
    {
        var replies = await Click(Ada, Form(("title", ""), ("q1", "Pick one"), ("q1Type", "single"), ("q1Choices", "Only"), ("closesOn", "someday")));

        var errors = Assert.Single(replies.OfType<FieldErrorsReply>());
        Assert.Contains("closesOn", errors.Errors.Keys);
        replies = await Click(Ada, Form(("title", ""), ("q1", "Pick one"), ("q1Type", "single"), ("q1Choices", "Only"), ("minResponses", "2")));
        errors = Assert.Single(replies.OfType<FieldErrorsReply>());
        Assert.Equal(["minResponses", "q1Choices", "title"], errors.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await _host.WithDbAsync(db => db.Surveys.CountAsync()));
        Assert.Equal(0, await _host.WithDbAsync(db => db.Outbox.CountAsync()));
    }

    [Fact]
    public async Task Feedback_AnswerOnce_SecondSubmitIsRefusedPolitely()
    {
        var id = await CreateSurveyAsync();

        var card = (await As(Rita, "feedback")).Card(CardNames.SurveyAnswer);
        Assert.Contains("\"id\":\"a3\"", card.Card.ToJsonString());
        var thanks = (await Click(Rita, Answer(id, "4", "1", "more shortcuts"))).Card(CardNames.SurveyThanks);
        Assert.True(thanks.ReplacesSource);   // the filled-in form leaves the screen

        var again = await Click(Rita, Answer(id, "1", "2", "changed my mind"));
        Assert.Contains("already answered", again.Text());
        Assert.Contains("already answered", (await As(Rita, "feedback")).Text());

        Assert.Equal(1, await _host.WithDbAsync(db => db.SealedResponses.CountAsync()));
    }

    [Fact]
    public async Task Answer_Invalid_AsksAgainWithoutStoringOrEchoing()
    {
        var id = await CreateSurveyAsync();
        var replies = await Click(Rita, Answer(id, "", "7", "xyzzy-draft"));
        var errors = Assert.Single(replies.OfType<FieldErrorsReply>());
        Assert.Equal(["a1", "a2"], errors.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("xyzzy", replies.Text());
        Assert.Equal(0, await _host.WithDbAsync(db => db.SealedResponses.CountAsync()));
        // Not answered yet, so the survey is offered again.
        (await As(Rita, "feedback")).Card(CardNames.SurveyAnswer);
    }

    [Fact]
    public async Task Results_HiddenUntilTheMinimum_ThenBarsAndTexts_OnlyForAdmins()
    {
        var id = await CreateSurveyAsync(minimum: 3);
        var people = Enumerable.Range(0, 3).Select(i => new ChatUser("slack", "T1", $"U-{i}", $"Person {i}", "UTC")).ToList();

        await Click(people[0], Answer(id, "5", "0", "faster search"));
        await Click(people[1], Answer(id, "5", "0", ""));
        var hidden = await As(Ada, $"survey results {id}");
        Assert.Contains("released once 3 people have answered", hidden.Text());
        Assert.DoesNotContain("faster search", hidden.Text());

        await Click(people[2], Answer(id, "5", "0", "dark mode"));
        var shown = (await As(Ada, "survey results")).Card(CardNames.SurveyResults);
        var json = shown.Card.ToJsonString();
        Assert.Contains("average 5.0", json);
        Assert.Contains("5  ████████████████████   3", shown.FallbackText);
        Assert.Contains("faster search", json);
        Assert.Contains("dark mode", json);

        var refused = await As(people[0], $"survey results {id}");
        Assert.Empty(refused.OfType<CardReply>());
        Assert.Contains("Only admins", refused.Text());
        Assert.Contains("Only admins", (await Click(people[0], new JsonObject { ["verb"] = SurveyFeature.ExportVerb, ["surveyId"] = id })).Text());

        var csv = (await As(Ada, $"survey export {id}")).Text();
        Assert.Contains("Ease of use,rating,5,3,", csv);
    }

    private List<ChatUser> People(int count, string prefix = "P") =>
        Enumerable.Range(0, count).Select(i => new ChatUser("slack", "T1", $"U-{prefix}{i}", $"Person {prefix}{i}", "UTC")).ToList();

    private async Task AnswerEachAsync(int id, IEnumerable<ChatUser> people, string rating, string choice, string text = "")
    {
        foreach (var person in people)
            await Click(person, Answer(id, rating, choice, text));
    }

    /// <summary>A survey with a minimum of 3 whose first release covers three answers alike; six people to answer.</summary>
    private async Task<(int Id, List<ChatUser> People, string Released)> FirstReleaseAsync(string rating, string text = "")
    {
        var id = await CreateSurveyAsync(minimum: 3);
        var people = People(6);
        await AnswerEachAsync(id, people.Take(3), rating, "0", text);
        return (id, people, await FiguresAsync(id));
    }

    /// <summary>The released figures and texts of the results, without the note on when the next release comes.</summary>
    private async Task<string> FiguresAsync(int id)
    {
        var text = (await As(Ada, $"survey results {id}")).Card(CardNames.SurveyResults).FallbackText;
        var cut = text.IndexOf("\n\n", StringComparison.Ordinal);
        return cut < 0 ? "" : text[cut..];
    }

    /// <summary>The exported CSV without its "responses" row (whose note says when the next release is due).</summary>
    private async Task<string> CsvFiguresAsync(int id) =>
        string.Join("\n", (await As(Ada, $"survey export {id}")).Text().Split('\n').Where(l => !l.StartsWith("Pulse,,,,responses", StringComparison.Ordinal)));

    [Fact]
    public async Task Results_BeforeTheFirstRelease_ShowNoLiveCountAnywhere()
    {
        var id = await CreateSurveyAsync(minimum: 3);
        var people = People(2);
        await Click(people[0], Answer(id, "4", "0", "first-idea"));
        await Click(people[1], Answer(id, "2", "1", ""));

        var results = await As(Ada, $"survey results {id}");
        Assert.DoesNotContain("2 responses", results.Text());
        Assert.DoesNotContain("2 so far", results.Text());
        Assert.Contains("released once 3 people have answered", results.Text());
        var list = (await As(Ada, "surveys")).Text();
        Assert.Contains("no results released yet", list);
        Assert.DoesNotContain("2 responses", list);
        var csv = (await As(Ada, $"survey export {id}")).Text();
        Assert.Contains("Pulse,,,,responses,,", csv);
        Assert.DoesNotContain("first-idea", csv);
        Assert.DoesNotContain("2 responses", (await As(Ada, $"survey close {id}")).Text());
    }

    [Fact]
    public async Task Results_AfterKAndAfterKPlusOneAnswers_AreIdentical_TheNextReleaseComesAfter2K()
    {
        var (id, people, afterK) = await FirstReleaseAsync("4", "early-idea");
        var csvAfterK = await CsvFiguresAsync(id);
        Assert.Contains("early-idea", afterK);

        // The 4th answer differs in every question; none of it may show.
        await Click(people[3], Answer(id, "1", "2", "the-fourth-answer"));
        Assert.Equal(afterK, await FiguresAsync(id));
        Assert.Equal(csvAfterK, await CsvFiguresAsync(id));
        var afterKPlus1 = await As(Ada, $"survey results {id}");
        Assert.DoesNotContain("the-fourth-answer", afterKPlus1.Text());
        Assert.Contains("results from 3 responses", (await As(Ada, "surveys")).Text());
        Assert.Contains("The next release comes after 2 more answers", afterKPlus1.Text());
        Assert.Contains("results from 3 responses", afterKPlus1.Text());

        await Click(people[4], Answer(id, "1", "2", "the-fifth-answer"));
        Assert.Equal(afterK, await FiguresAsync(id));

        await Click(people[5], Answer(id, "1", "2", "the-sixth-answer"));
        var after2K = (await As(Ada, $"survey results {id}")).Text();
        Assert.Contains("results from 6 responses", after2K);
        Assert.Contains("the-fourth-answer", after2K);
        Assert.Contains("the-sixth-answer", after2K);
        Assert.Contains("The next release comes after 3 more answers", after2K);
        Assert.Contains("Ease of use,rating,1,3,", (await As(Ada, $"survey export {id}")).Text());
    }

    [Fact]
    public async Task Close_WithFewerThanKNewAnswers_KeepsTheLastRelease_AndSaysSo()
    {
        var (id, people, released) = await FirstReleaseAsync("5");
        await Click(people[3], Answer(id, "1", "2", "late-one"));
        await Click(people[4], Answer(id, "1", "2", "late-two"));

        var closed = (await As(Ada, $"survey close {id}")).Text();
        Assert.Equal(released, await FiguresAsync(id));
        Assert.Contains("is closed", closed);
        Assert.Contains("2 answers came after that release and stay hidden", closed);
        var csv = (await As(Ada, $"survey export {id}")).Text();
        Assert.DoesNotContain("late-", csv);
        Assert.Contains("Ease of use,rating,5,3,", csv);
    }

    [Fact]
    public async Task Reopen_DoesNotReleaseFewerThanKNewAnswers()
    {
        var id = await CreateSurveyAsync(minimum: 3);
        var people = People(6);
        await AnswerEachAsync(id, people.Take(3), "5", "0");
        var closedText = (await As(Ada, $"survey close {id}")).Text();
        var released = await FiguresAsync(id);

        Assert.Contains("open again", (await As(Ada, $"survey reopen {id}")).Text());
        await Click(people[3], Answer(id, "1", "2", "after-reopen"));
        var reclosed = (await As(Ada, $"survey close {id}")).Text();
        Assert.Equal(released, await FiguresAsync(id));
        Assert.Contains("final results, from 3 responses", closedText);   // released at close
        Assert.Contains("1 answer came after that release", reclosed);

        await As(Ada, $"survey reopen {id}");
        await Click(people[4], Answer(id, "1", "2", ""));
        Assert.Equal(released, await FiguresAsync(id));
        await Click(people[5], Answer(id, "1", "2", ""));
        var third = (await As(Ada, $"survey results {id}")).Text();
        Assert.Contains("results from 6 responses", third);
        Assert.Contains("after-reopen", third);
    }

    [Fact]
    public async Task Results_HiddenGroupsTakeTheZerosWithThem_SoTheyCannotBeWorkedOut()
    {
        // Seven answers: five 5s, one 1, one 2. With the 3 and the 4 shown as 0, the two hidden
        // groups hold 2 answers between them, so each is exactly 1.
        var id = await CreateSurveyAsync(minimum: 3);
        string[] ratings = ["5", "5", "1", "5", "2", "5", "5"];
        foreach (var (person, value) in People(ratings.Length).Zip(ratings))
            await Click(person, Answer(id, value, "0", ""));

        var card = (await As(Ada, $"survey results {id}")).Card(CardNames.SurveyResults);
        var lines = card.FallbackText.Split('\n');
        var rating = lines.SkipWhile(l => !l.StartsWith("1. Ease of use", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("2. ", StringComparison.Ordinal)).ToList();
        foreach (var value in new[] { "1", "2", "3", "4" })
            Assert.Contains($"{value}  hidden", rating);
        Assert.DoesNotContain(rating, l => l.TrimEnd().EndsWith(" 0", StringComparison.Ordinal) || l.Contains('%'));
        Assert.Contains("average hidden", card.FallbackText);
        Assert.Contains("Hidden: 1, 2, 3, 4, 5, together 7 answers", card.FallbackText);   // 2 alone would be a small group: the 5s join
        Assert.Contains("Hidden: 1, 2, 3, 4, 5", card.Card.ToJsonString());
        var csv = (await As(Ada, $"survey export {id}")).Text();
        Assert.Contains("Ease of use,rating,3,,hidden", csv);
        Assert.DoesNotContain("Ease of use,rating,3,0,", csv);

        // The choice question, all "Yes": nothing hidden, so bars and percentages show.
        Assert.Contains(lines, l => l.StartsWith("Yes", StringComparison.Ordinal) && l.Contains("████████████████████   7  100%", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CloseAndReopen_FromChat()
    {
        var id = await CreateSurveyAsync();
        Assert.Contains("is closed", (await As(Ada, $"survey close {id}")).Text());
        Assert.Contains("is closed", (await Click(Rita, Answer(id, "3", "0", ""))).Text());
        Assert.Contains("no open survey", (await As(Rita, "feedback")).Text());
        Assert.Contains("open again", (await As(Ada, $"survey reopen {id}")).Text());
        (await Click(Rita, Answer(id, "3", "0", ""))).Card(CardNames.SurveyThanks);
    }

    [Fact]
    public async Task Reminder_GoesOnceToThoseWhoHaveNotAnswered()
    {
        await As(Rita, "help");
        var bob = new ChatUser("msteams", "tenant", "29:bob", "Bob", "UTC");
        await As(bob, "help");
        var id = await CreateSurveyAsync();
        await Click(Rita, Answer(id, "4", "0", ""));

        async Task<int> PlanAsync()
        {
            await using var db = _host.Store.NewContext(_host.Clock);
            var options = Microsoft.Extensions.Options.Options.Create(new FeedbackOptions { ParticipationKey = Key });
            var keys = new ParticipationKeys(options, new StoreLocation(null, true), Microsoft.Extensions.Logging.Abstractions.NullLogger<ParticipationKeys>.Instance);
            var surveys = new SurveyService(db, keys, options, _host.Clock,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<SurveyService>.Instance);
            return await new SurveyDelivery(db, surveys, keys, new CardTemplates(), _host.Clock, options,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<SurveyDelivery>.Instance).PlanDueRemindersAsync(default);
        }

        Assert.Equal(0, await PlanAsync());                       // closes Dec 4; not the day before yet
        _host.Clock.Set(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(2, await PlanAsync());                       // Ada and Bob; Rita answered
        Assert.Equal(0, await PlanAsync());                       // planned once

        var reminders = await _host.WithDbAsync(db => db.Outbox.Where(o => o.Kind == SurveyDelivery.ReminderKind).Select(o => o.MemberId).ToListAsync());
        var rita = await _host.WithDbAsync(db => db.Members.SingleAsync(m => m.UserId == "U-rita"));
        Assert.Equal(2, reminders.Count);
        Assert.DoesNotContain(rita.Id, reminders);
    }

    [Fact]
    public async Task AnswerTurn_LeavesNoAnswerTextInAnyLog()
    {
        var id = await CreateSurveyAsync();
        _logs.Lines.Clear();

        await Click(Rita, Answer(id, "2", "2", "kq7-the-manager-ignores-the-crm"));
        await Click(Rita, Answer(id, "2", "2", "kq7-second-try"));
        await Click(new ChatUser("slack", "T1", "U-x", "X", "UTC"), Answer(id, "9", "2", "kq7-invalid-rating"));

        Assert.Contains(_logs.Lines, l => l.Contains("INSERT INTO \"SealedResponses\"", StringComparison.Ordinal));   // the capture sees the store
        Assert.DoesNotContain("kq7", _logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("kq7", string.Join("\n", _host.Logs.Select(l => l.Message + l.Exception)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAcceptedAnswer_LeavesNoLogLineThatNamesTheMember_OrDatesTheAnswer()
    {
        var id = await CreateSurveyAsync();
        await As(Rita, "feedback");   // Rita is known before she answers, as a member who opens the survey is
        _logs.Lines.Clear();

        await Click(Rita, Answer(id, "2", "2", "kq8-fine"));

        Assert.Contains(_logs.Lines, l => l.Contains("INSERT INTO \"SealedResponses\"", StringComparison.Ordinal));   // the capture sees the store
        foreach (var named in new[] { "U-rita", "Rita", "D-U-rita" })
            Assert.DoesNotContain(named, _logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("response", StringComparison.OrdinalIgnoreCase) && l.Contains($"Survey {id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Promote_ByAnAdmin_IsAudited_AndRefusedToOthers()
    {
        await As(Rita, "help");
        Assert.Contains("Only admins", (await As(Rita, "promote Ada Admin to rep")).Text());
        Assert.Contains("Rita Rep is now a manager", (await As(Ada, "promote rita rep to manager")).Text());
        Assert.Contains("Rita Rep's team", (await As(Ada, "assign Ada Admin to Rita Rep")).Text());

        var rita = await _host.WithDbAsync(db => db.Members.SingleAsync(m => m.UserId == "U-rita"));
        Assert.Equal(MemberRole.Manager, rita.Role);
        var audit = await _host.WithDbAsync(db => db.AuditEntries.Where(a => a.EntityType == "Member" && (a.Action == "role" || a.Action == "manager")).ToListAsync());
        Assert.Equal(2, audit.Count);
        Assert.Contains("Adoption for the team of Rita Rep (1 member): team figures are shown for teams of at least 5 members", (await As(Rita, "adoption")).Text());
        Assert.Contains("for admins, and for managers", (await As(new ChatUser("slack", "T1", "U-z", "Zed", "UTC"), "adoption")).Text());
    }
}

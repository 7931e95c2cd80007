using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CrmBot.Tests.Crm.Surveys;

public sealed class SurveyServiceTests : IDisposable
{
    private readonly SurveyFixture _f = new();
    private readonly Member _admin;

    public SurveyServiceTests() => _admin = _f.AddMember("Ada Admin", MemberRole.Admin);

    public void Dispose() => _f.Dispose();

    private static readonly QuestionDraft Rating = new("Ease of use", SurveyQuestionType.Rating);

    [Fact]
    public async Task Submit_SecondAnswerFromTheSameMember_IsRefusedAndNothingIsAdded()
    {
        var survey = await _f.CreateAsync(_admin, null, Rating);
        var rep = _f.AddMember("Rita Rep");

        Assert.Equal(SubmitStatus.Recorded, (await _f.AnswerAsync(survey.Id, rep, new AnswerInput(0, Rating: 4))).Status);
        Assert.Equal(SubmitStatus.AlreadyAnswered, (await _f.AnswerAsync(survey.Id, rep, new AnswerInput(0, Rating: 1))).Status);
        Assert.Equal(SubmitStatus.Recorded, (await _f.AnswerAsync(survey.Id, _f.AddMember("Other Rep"), new AnswerInput(0, Rating: 2))).Status);

        using var db = _f.Store.NewContext();
        Assert.Equal(2, await db.SealedResponses.CountAsync());
        Assert.Equal(2, await db.SurveyParticipations.CountAsync());
        Assert.True(await _f.Service(db).HasAnsweredAsync(survey.Id, rep.Id, default));
    }

    [Fact]
    public async Task Submit_StoresTheAnswersSealed_TheReleaseWritesThemOutAndDeletesTheSealedRows()
    {
        var survey = await _f.CreateAsync(_admin, 3, Rating, new QuestionDraft("Change", SurveyQuestionType.FreeText));
        for (var i = 0; i < 3; i++)
            await _f.AnswerAsync(survey.Id, _f.AddMember($"Rep {i}"), new AnswerInput(0, Rating: i + 2), new AnswerInput(1, Text: $"sealed-idea-{i}"));

        using (var db = _f.Store.NewContext())
        {
            Assert.Equal(0, await db.SurveyAnswers.CountAsync());   // no plaintext before the release
            var blobs = await db.SealedResponses.Select(r => r.Blob).ToListAsync();
            Assert.Equal(3, blobs.Count);
            Assert.All(blobs, b => Assert.Equal(-1, b.AsSpan().IndexOf("sealed-idea"u8)));
            Assert.Single(blobs.Select(b => b.Length).Distinct());   // padded: the length says nothing of the text
        }

        using (var db = _f.Store.NewContext())
        {
            var results = await _f.Service(db).ResultsAsync(survey.Id, _admin, default);
            Assert.Equal(3, results.Responses);
            Assert.Equal(["sealed-idea-0", "sealed-idea-1", "sealed-idea-2"], results.Questions[1].Texts.Order());
        }

        using var after = _f.Store.NewContext();
        Assert.Equal(0, await after.SealedResponses.CountAsync());
        Assert.Equal(3, await after.SurveyResponses.CountAsync());
        Assert.Equal([2, 3, 4], (await after.SurveyAnswers.Where(a => a.Rating != null).Select(a => a.Rating!.Value).ToListAsync()).Order());
    }

    [Fact]
    public async Task SealedAnswer_TheKeyCannotOpen_StaysSealedUncounted_AndResultsStillShow()
    {
        var survey = await _f.CreateAsync(_admin, 3, Rating);
        for (var i = 0; i < 3; i++)
            await _f.AnswerAsync(survey.Id, _f.AddMember($"Rep {i}"), new AnswerInput(0, Rating: 4));
        using (var db = _f.Store.NewContext())
        {
            // A sheet sealed under another secret, as after the participation key was replaced.
            var otherKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            db.SealedResponses.Add(new SealedResponse { Id = SurveyService.RandomKey(), SurveyId = survey.Id,
                Blob = AnswerSeal.Seal(otherKey, survey.Id, [new SurveyAnswer { QuestionIndex = 0, Rating = 1 }]) });
            await db.SaveChangesAsync();
        }

        using (var db = _f.Store.NewContext())
        {
            var results = await _f.Service(db).ResultsAsync(survey.Id, _admin, default);
            Assert.Equal(3, results.Responses);
            Assert.Equal(0, results.Unreleased);
        }
        using var after = _f.Store.NewContext();
        Assert.Equal(1, await after.SealedResponses.CountAsync());
    }

    [Fact]
    public async Task SealedAnswers_OpenOnlyWithTheSurveysOwnKey()
    {
        var sealedSheet = AnswerSeal.Seal(_f.Keys.AnswerKey(1), 1, [new SurveyAnswer { QuestionIndex = 0, Text = "x" }]);
        Assert.Equal("x", Assert.Single(AnswerSeal.Open(_f.Keys.AnswerKey(1), 1, sealedSheet)).Text);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => AnswerSeal.Open(_f.Keys.AnswerKey(2), 2, sealedSheet));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => AnswerSeal.Open(_f.Keys.AnswerKey(1), 2, sealedSheet));
    }

    [Fact]
    public async Task Submit_InvalidAnswer_NamesTheQuestionWithoutEchoingTheAnswerAndStoresNothing()
    {
        var survey = await _f.CreateAsync(_admin, null, Rating,
            new QuestionDraft("Training enough?", SurveyQuestionType.SingleChoice, ["Yes", "No"]),
            new QuestionDraft("Change", SurveyQuestionType.FreeText));
        var secret = new string('x', SurveyRules.MaxTextLength) + "my-secret-complaint";

        var result = await _f.AnswerAsync(survey.Id, _f.AddMember("Rita Rep"),
            new AnswerInput(0, Rating: 9), new AnswerInput(1, Choices: [0, 1]), new AnswerInput(2, Text: secret));

        Assert.Equal(SubmitStatus.Invalid, result.Status);
        Assert.Equal(["a1", "a2", "a3"], result.Errors!.Keys.Order());
        Assert.DoesNotContain(result.Errors.Values, e => e.Contains("my-secret", StringComparison.Ordinal) || e.Contains('9'));
        using var db = _f.Store.NewContext();
        Assert.Equal(0, await db.SealedResponses.CountAsync());
        Assert.Equal(0, await db.SurveyParticipations.CountAsync());
    }

    [Fact]
    public async Task Results_AreHiddenBelowTheMinimum_ThenShown()
    {
        var survey = await _f.CreateAsync(_admin, 3, Rating, new QuestionDraft("Change", SurveyQuestionType.FreeText));
        for (var i = 0; i < 2; i++)
            await _f.AnswerAsync(survey.Id, _f.AddMember($"Rep {i}"), new AnswerInput(0, Rating: 4), new AnswerInput(1, Text: $"idea {i}"));

        var hidden = await _f.ResultsAsync(survey.Id, _admin);
        Assert.True(hidden.Hidden);
        Assert.Equal(0, hidden.Responses);   // before the first release not even the count shows
        Assert.Null(hidden.Unreleased);
        Assert.Empty(hidden.Questions);
        Assert.DoesNotContain("idea", SurveyCsv.Write(hidden, true), StringComparison.Ordinal);

        await _f.AnswerAsync(survey.Id, _f.AddMember("Rep 2"), new AnswerInput(0, Rating: 4), new AnswerInput(1, Text: "idea 2"));
        var shown = await _f.ResultsAsync(survey.Id, _admin);
        Assert.False(shown.Hidden);
        var rating = shown.Questions[0];
        Assert.Equal(3, rating.Answered);
        Assert.Equal(4.0, rating.Average);
        Assert.Equal([0, 0, 0, 3, 0], rating.Groups.Select(g => g.Count!.Value));
        Assert.Equal(["idea 0", "idea 1", "idea 2"], shown.Questions[1].Texts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Results_HideASmallGroup_AndTheNextSmallest_SoSubtractionCannotRecoverIt()
    {
        // 3 minimum; ratings: six 5s, four 4s, one 1. The lone "1" is hidden; showing the total (11)
        // with 5→6 and 4→4 would give it back, so the next smallest group (4→4) is hidden too, the
        // empty 2 and 3 with them (shown as 0 they would say where the hidden 5 are), and so is the
        // average (it would solve back into the hidden groups).
        var survey = await _f.CreateAsync(_admin, 3, Rating,
            new QuestionDraft("Training enough?", SurveyQuestionType.SingleChoice, ["Yes", "No", "Partly"]),
            new QuestionDraft("Tools", SurveyQuestionType.MultipleChoice, ["Mobile", "Desktop", "Chat"]));
        var ratings = Enumerable.Repeat(5, 6).Concat(Enumerable.Repeat(4, 4)).Append(1).ToList();
        for (var i = 0; i < ratings.Count; i++)
        {
            var training = i < 7 ? 0 : 2;   // Yes 7, No 0, Partly 4
            int[] tools = i == 0 ? [0, 1, 2] : [1, 2];   // Mobile 1 (hidden), Desktop 11 (nobody left out), Chat 11
            Assert.Equal(SubmitStatus.Recorded, (await _f.AnswerAsync(survey.Id, _f.AddMember($"Rep {i}"),
                new AnswerInput(0, Rating: ratings[i]), new AnswerInput(1, Choices: [training]), new AnswerInput(2, Choices: tools))).Status);
        }

        var results = await _f.ResultsAsync(survey.Id, _admin);

        var rating = results.Questions[0];
        Assert.Equal(11, rating.Answered);
        Assert.Equal([null, null, null, null, 6], rating.Groups.Select(g => g.Count));
        Assert.Null(rating.Average);

        var single = results.Questions[1];   // nothing small: all shown, the empty choice included
        Assert.Equal([7, 0, 4], single.Groups.Select(g => g.Count));

        var multiple = results.Questions[2];
        Assert.Equal([null, 11, 11], multiple.Groups.Select(g => g.Count));

        var csv = SurveyCsv.Write(results, true);
        Assert.Contains("hidden: fewer than 3", csv, StringComparison.Ordinal);
        Assert.Contains("Ease of use,rating,4,,hidden: fewer than 3", csv, StringComparison.Ordinal);
        Assert.Contains("Ease of use,rating,5,6,", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 5, 1, 6 }, 5, new[] { true, true, false })]    // one small → the next smallest goes with it
    [InlineData(new[] { 5, 5, 5 }, 5, new[] { false, false, false })]
    [InlineData(new[] { 2, 1, 9 }, 5, new[] { true, true, true })]     // two small holding fewer than 5 together take the next one
    [InlineData(new[] { 3, 4, 9 }, 5, new[] { true, true, false })]    // two small holding 5 or more hide each other
    [InlineData(new[] { 6, 0, 2 }, 5, new[] { true, true, true })]     // the empty group is hidden with them
    [InlineData(new[] { 1, 1, 0, 0, 5 }, 3, new[] { true, true, true, true, true })]   // 7 answers: shown zeros would make each hidden one exactly 1
    [InlineData(new[] { 4, 1, 2, 0, 0 }, 3, new[] { false, true, true, true, true })]
    [InlineData(new[] { 0, 0, 9 }, 3, new[] { false, false, false })]
    [InlineData(new[] { 4, 1 }, 3, new[] { true, true })]
    [InlineData(new[] { 4, 4, 10, 12 }, 5, new[] { true, true, true, false })]   // two hidden holding 8 = 2 × (5−1) would each be 4
    [InlineData(new[] { 4, 3, 10 }, 5, new[] { true, true, false })]
    public void Partition_HidesSmallGroupsAndTheirCompanion(int[] counts, int minimum, bool[] expected) =>
        Assert.Equal(expected, Suppression.Partition(counts, minimum));

    [Fact]
    public void EachOfTwoSides_HidesAnOptionWhenTooFewChoseItOrTooFewDidNot() =>
        Assert.Equal([true, false, true, false, true], Suppression.EachOfTwoSides([5, 6, 1, 3, 0], 6, 3));

    [Fact]
    public async Task NonAdmin_IsRefusedCreationResultsCloseAndExport_AndNothingIsWritten()
    {
        var rep = _f.AddMember("Rita Rep");
        var manager = _f.AddMember("Max Manager", MemberRole.Manager);
        var survey = await _f.CreateAsync(_admin, null, Rating);

        foreach (var caller in new[] { rep, manager })
        {
            await Assert.ThrowsAsync<NotAllowedException>(() => _f.CreateAsync(caller, null, Rating));
            await Assert.ThrowsAsync<NotAllowedException>(() => _f.ResultsAsync(survey.Id, caller));
            using var db = _f.Store.NewContext();
            await Assert.ThrowsAsync<NotAllowedException>(() => _f.Service(db).CloseAsync(survey.Id, caller, default));
            await Assert.ThrowsAsync<NotAllowedException>(() => _f.Service(db).ReopenAsync(survey.Id, null, caller, default));
        }
        using var check = _f.Store.NewContext();
        Assert.Equal(1, await check.Surveys.CountAsync());
        Assert.Equal(SurveyStatus.Open, (await check.Surveys.SingleAsync()).Status);
    }

    [Fact]
    public async Task Create_InvalidDraft_ReportsEveryFieldAndWritesNothing()
    {
        using var db = _f.Store.NewContext();
        var draft = new SurveyDraft(" ", [new QuestionDraft("Pick", SurveyQuestionType.SingleChoice, ["Only one"])],
            _f.Today.AddDays(-1), MinResponses: 2);

        var error = await Assert.ThrowsAsync<SurveyValidationException>(() => _f.Service(db).CreateAsync(draft, _admin, default));

        Assert.Equal(["closesOn", "minResponses", "q1Choices", "title"], error.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await db.Surveys.CountAsync());
        Assert.Equal(0, await db.AuditEntries.CountAsync());
    }

    [Fact]
    public async Task CloseAndReopen_AreAudited_AndClosedSurveysRefuseAnswers()
    {
        var survey = await _f.CreateAsync(_admin, null, Rating);
        var rep = _f.AddMember("Rita Rep");
        using (var db = _f.Store.NewContext())
            await _f.Service(db).CloseAsync(survey.Id, _admin, default);
        Assert.Equal(SubmitStatus.Closed, (await _f.AnswerAsync(survey.Id, rep, new AnswerInput(0, Rating: 3))).Status);

        using (var db = _f.Store.NewContext())
            await _f.Service(db).ReopenAsync(survey.Id, null, _admin, default);
        Assert.Equal(SubmitStatus.Recorded, (await _f.AnswerAsync(survey.Id, rep, new AnswerInput(0, Rating: 3))).Status);

        // Past the close date it is closed without anyone closing it.
        _f.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(SubmitStatus.Closed, (await _f.AnswerAsync(survey.Id, _f.AddMember("Late Rep"), new AnswerInput(0, Rating: 3))).Status);

        using var check = _f.Store.NewContext();
        Assert.Equal(["created", "closed", "reopened"],
            await check.AuditEntries.Where(a => a.EntityType == "Survey").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task AnswerText_NeverReachesTheLog_EvenWithEveryCategoryAtTrace()
    {
        var capture = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        _f.LoggerFactory = factory;
        var survey = await _f.CreateAsync(_admin, null, Rating, new QuestionDraft("Change", SurveyQuestionType.FreeText));
        var rep = _f.AddMember("Rita Rep");

        // The store's own logging (EF Core commands) is captured too.
        var options = new DbContextOptionsBuilder<CrmBot.Crm.CrmDbContext>(_f.Store.Options).UseLoggerFactory(factory).Options;
        using (var db = new CrmBot.Crm.CrmDbContext(options))
        {
            await _f.Service(db).SubmitAsync(survey.Id, rep, [new AnswerInput(0, Rating: 2), new AnswerInput(1, Text: "qqv-secret-gripe")], default);
            await _f.Service(db).SubmitAsync(survey.Id, rep, [new AnswerInput(0, Rating: 2), new AnswerInput(1, Text: "qqv-secret-again")], default);
            await _f.Service(db).SubmitAsync(survey.Id, _f.AddMember("Bob"), [new AnswerInput(0, Rating: 7), new AnswerInput(1, Text: "qqv-secret-invalid")], default);
        }

        Assert.Contains(capture.Lines, l => l.Contains("INSERT INTO \"SealedResponses\"", StringComparison.Ordinal));   // the capture works
        Assert.Contains(capture.Lines, l => l.Contains("a second answer was refused", StringComparison.Ordinal));
        Assert.DoesNotContain("qqv-secret", capture.All, StringComparison.Ordinal);
    }
}

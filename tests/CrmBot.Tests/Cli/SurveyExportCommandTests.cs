using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using CrmBot.Tests.Proactive;
using CrmBot.Tests.Crm.Surveys;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `survey-export` as an operator runs it on the server, in its own process over a store file: it writes only
/// released results, the same table after k and after k+1 answers, and nothing before the first release.
/// </summary>
public sealed class SurveyExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-survey-export-").FullName;
    private readonly SharedFileStore _store = new();
    private readonly SurveyFixture _kit = new();
    // The secret the verb's process is given too: answers are sealed with it until a release opens them.
    private readonly string _secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly ParticipationKeys _keys;
    private int _people;

    public SurveyExportCommandTests() =>
        _keys = new ParticipationKeys(Microsoft.Extensions.Options.Options.Create(new FeedbackOptions { ParticipationKey = _secret }),
            new StoreLocation(null, true), NullLogger<ParticipationKeys>.Instance);

    private SurveyService Service(CrmBot.Crm.CrmDbContext db) =>
        new(db, _keys, Microsoft.Extensions.Options.Options.Create(_kit.Options), _kit.Clock, NullLogger<SurveyService>.Instance);

    private Member AddMember(string name, MemberRole role = MemberRole.Rep)
    {
        using var db = _store.NewContext();
        var member = new Member { Channel = "slack", TenantId = "T1", UserId = "U-" + name, DisplayName = name, Role = role, CreatedAt = _kit.Clock.Now.UtcDateTime };
        db.Members.Add(member);
        db.SaveChanges();
        return member;
    }

    private async Task AnswerAsync(int surveyId, int rating, string text)
    {
        await using var db = _store.NewContext();
        var result = await Service(db).SubmitAsync(surveyId, AddMember($"person-{++_people}"),
            [new AnswerInput(0, Rating: rating), new AnswerInput(1, Text: text)], default);
        Assert.Equal(SubmitStatus.Recorded, result.Status);
    }

    private async Task<string> ExportAsync(int surveyId)
    {
        var file = Path.Combine(_dir, $"results-{Guid.NewGuid():N}.csv");
        var run = await CrmBotProcess.RunAsync(_store.ConnectionString["Data Source=".Length..], _dir,
            ["survey-export", surveyId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", file],
            environment: new Dictionary<string, string> { ["Feedback__ParticipationKey"] = _secret });
        Assert.True(run.Exit == 0, run.All);
        return await File.ReadAllTextAsync(file);
    }

    [Fact]
    public async Task TheVerb_ExportsOnlyReleasedResults_FrozenFromKToKPlusOne_AndNothingBefore()
    {
        var admin = AddMember("Ada", MemberRole.Admin);
        int id;
        await using (var db = _store.NewContext())
        {
            id = (await Service(db).CreateAsync(new SurveyDraft("Pulse",
                [new QuestionDraft("Ease of use", SurveyQuestionType.Rating), new QuestionDraft("One thing to change", SurveyQuestionType.FreeText)],
                // Open by the real clock too: the verb's process runs on it.
                DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7), MinResponses: 3), admin, default)).Id;
        }
        await AnswerAsync(id, 4, "first-answer");
        await AnswerAsync(id, 4, "second-answer");

        var before = await ExportAsync(id);
        Assert.DoesNotContain("first-answer", before);
        Assert.DoesNotContain("Ease of use,rating,4", before);

        await AnswerAsync(id, 4, "third-answer");
        var afterK = await ExportAsync(id);
        Assert.Contains("third-answer", afterK);
        Assert.Contains("Ease of use,rating,4,3,", afterK);

        await AnswerAsync(id, 1, "fourth-answer");
        var afterKPlusOne = await ExportAsync(id);
        // The figures and texts are the release's; only the note of how many answers wait for the next one moves.
        Assert.Equal(Figures(afterK), Figures(afterKPlusOne));
        Assert.DoesNotContain("fourth-answer", afterKPlusOne);
        Assert.Contains("Ease of use,rating,1,0,", afterKPlusOne);
    }

    [Fact]
    public async Task AgainstAStoreThatDoesNotExist_SaysSo_ExitsNonZero_AndCreatesNoFile()
    {
        var missing = Path.Combine(_dir, "no-such-store.db");
        var run = await CrmBotProcess.RunAsync(missing, _dir, ["survey-export", "1"],
            environment: new Dictionary<string, string> { ["Feedback__ParticipationKey"] = _secret });
        Assert.Equal(1, run.Exit);
        Assert.Contains("There is no store at " + missing, run.Err);
        Assert.False(File.Exists(missing));
    }

    private static string[] Figures(string csv) =>
        csv.Split('\n').Where(line => line.Contains(',') && !line.Contains("release", StringComparison.OrdinalIgnoreCase)).ToArray();

    public void Dispose()
    {
        _store.Dispose();
        _kit.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using CrmBot.IntegrationTests.Infrastructure;
using CrmBot.IntegrationTests.Channels.Slack;
using CrmBot.IntegrationTests.Channels.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmBot.IntegrationTests.Surveys;

/// <summary>
/// Plays the attacker who copies the store's folder (database, WAL and all) after every answer: members answer an
/// anonymous survey in a known order, and the copies must not tie any answer to a member by commit or by byte
/// order, must hold no answer's text before its release (answers are stored sealed), and afterwards each answer
/// only where it is stored on purpose (never in a delivery payload, never left over in free space).
/// </summary>
internal static class Attacker
{
    public const int Members = 20;
    /// <summary>The survey's minimum k: answers are released (written out in plaintext) in batches of this many.</summary>
    public const int Batch = 10;
    /// <summary>Not in the store's folder: who holds the folder cannot recompute participation tokens.</summary>
    public static readonly string ParticipationKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());

#if !POSTGRES
    /// <summary>
    /// The service's checkpointer left idle, so every commit stays in the WAL until the next copy: a release commits
    /// the answers and then, apart, its audit entry, and a checkpoint pass between the two let the second commit start
    /// the WAL over and overwrite the first before the copy, so the check could not see that commit at all.
    /// </summary>
    public static void KeepEveryCommitInTheWal(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(_ =>
            new WalCheckpointer(new DbContextOptionsBuilder<CrmDbContext>().UseSqlite().Options, NullLogger<WalCheckpointer>.Instance)));
#endif

    /// <summary>`/crm feedback` on Slack, then the submission of the answer form it opened, as Slack would post it.</summary>
    public static async Task<JsonObject> SlackAnswerAsync(SlackHost host, string user, string channel, string tag, string answer)
    {
        var trigger = "trg." + Guid.NewGuid().ToString("N");
        var command = await host.Client.PostAsync("/slack/commands", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["team_id"] = SlackHost.TeamId, ["channel_id"] = channel, ["user_id"] = user, ["command"] = "/crm", ["text"] = "feedback",
            ["response_url"] = host.Slack.ResponseUrl("feedback-" + tag), ["trigger_id"] = trigger,
        }));
        Assert.Equal(HttpStatusCode.OK, command.StatusCode);
        var open = await host.Slack.WaitForAsync(c => c.Method == "views.open" && c.Body["trigger_id"]!.ToString() == trigger);
        var view = open.Body["view"]!.AsObject();
        var input = view["blocks"]!.AsArray().OfType<JsonObject>().Single(b => b["type"]!.GetValue<string>() == "input");
        var submission = SlackHost.ViewSubmission(view, new JsonObject
        {
            [input["block_id"]!.GetValue<string>()] = new JsonObject
            {
                [input["element"]!["action_id"]!.GetValue<string>()] = new JsonObject { ["type"] = "plain_text_input", ["value"] = answer },
            },
        });
        submission["user"] = new JsonObject { ["id"] = user, ["team_id"] = SlackHost.TeamId };
        return submission;
    }

    public static async Task<int> CreateSurveyAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var admin = new Member { Channel = "cli", TenantId = "local", UserId = "survey-admin", DisplayName = "Survey Admin", Role = MemberRole.Admin };
        db.Members.Add(admin);
        await db.SaveChangesAsync();
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var survey = await scope.ServiceProvider.GetRequiredService<SurveyService>().CreateAsync(
            new SurveyDraft("Rollout pulse", [new QuestionDraft("What would you change?", SurveyQuestionType.FreeText)], today.AddDays(7), MinResponses: Batch),
            admin, CancellationToken.None);
        return survey.Id;
    }

    public static async Task<int> ResponsesAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        return await db.SealedResponses.CountAsync() + await db.SurveyResponses.CountAsync();
    }

    /// <summary>The admin looks at the results, which makes a release when k new answers wait.</summary>
    public static async Task ReleaseAsync(IServiceProvider services, int surveyId)
    {
        await using var scope = services.CreateAsyncScope();
        var admin = await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Members.SingleAsync(m => m.UserId == "survey-admin");
        await scope.ServiceProvider.GetRequiredService<SurveyService>().ResultsAsync(surveyId, admin, CancellationToken.None);
    }

    public static async Task WaitForResponsesAsync(IServiceProvider services, int count)
    {
        for (var i = 0; i < 500 && await ResponsesAsync(services) < count; i++) await Task.Delay(10);
        Assert.Equal(count, await ResponsesAsync(services));
    }

#if !POSTGRES
    public static string DbPath(IServiceProvider services) =>
        StoreCopy.DbPath(services.GetRequiredService<IConfiguration>().GetConnectionString("Crm")!);

    /// <summary>(b) Every commit that writes an answer holds no member's ids (and every answer was seen being committed).</summary>
    public static void NoAnswerCommitNamesAMember(IEnumerable<StoreCopy> copies, IReadOnlyList<string> answers, IReadOnlyList<string> identifiers)
    {
        var committed = new HashSet<string>();
        foreach (var copy in copies)
        foreach (var commit in copy.Commits)
        {
            var stored = answers.Where(a => commit.Any(f => StoreCopy.Holds(f.Data, a))).ToList();
            if (stored.Count == 0) continue;
            committed.UnionWith(stored);
            var named = identifiers.Where(id => commit.Any(f => StoreCopy.Holds(f.Data, id))).ToList();
            Assert.True(named.Count == 0, $"The commit storing {stored[^1]} also writes pages holding {string.Join(", ", named)}.");
        }
        Assert.Equal(answers.Count, committed.Count);
    }

    /// <summary>(c) Before its release an answer's text is nowhere in the folder: not in the database, not in any WAL frame.</summary>
    public static void NothingBeforeRelease(IReadOnlyList<StoreCopy> copies, IReadOnlyList<string> answers, IReadOnlyDictionary<string, int> releasedAt)
    {
        foreach (var answer in answers)
        for (var c = 0; c < releasedAt[answer]; c++)
            Assert.True(StoreCopy.Count(copies[c].Database, answer) + StoreCopy.Count(copies[c].Wal, answer) == 0,
                $"{answer} is readable in copy {c}, before its release.");
    }

    /// <summary>
    /// (a) Within each released batch, where an answer lies in the file says nothing about when it arrived. Arrival
    /// order would be exact: SQLite fills a page's cells from its end, so offsets would fall strictly as answers came
    /// in (Spearman rho of exactly -1). The batches' own order is public anyway (each release is audited), so the
    /// statistic is taken inside each batch: its rho between arrival rank and offset rank, averaged over the batches.
    /// A shuffle reaches |mean rho| of 0.9 with two batches of ten only when both batches are nearly sorted, which is
    /// far too rare to flake; no batch may be exactly in or against arrival order either.
    /// </summary>
    public static void OffsetsDoNotFollowArrival(StoreCopy stopped, uint answersRoot, IReadOnlyList<string> answers, IReadOnlyDictionary<string, int> releasedAt)
    {
        var batches = answers.GroupBy(a => releasedAt[a]).Select(g => g.ToList()).ToList();
        Assert.True(batches.All(b => b.Count >= Batch), "A release wrote out fewer than k answers.");
        var rhos = new List<double>();
        foreach (var batch in batches)
        {
            // In the answers table's page (the table is small, so its root is its one leaf): the frozen release on
            // the survey row holds the texts too, in an order of its own.
            var page = stopped.Database.AsSpan((int)(answersRoot - 1) * stopped.PageSize, stopped.PageSize).ToArray();
            var offsets = batch.Select(a => page.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(a))).ToList();
            Assert.All(offsets, o => Assert.True(o >= 0, "An answer is not in the answers table's page."));
            var ranks = offsets.Select(o => offsets.Count(x => x < o)).ToList();   // offsets are distinct
            var n = batch.Count;
            Assert.False(ranks.SequenceEqual(Enumerable.Range(0, n)) || ranks.SequenceEqual(Enumerable.Range(0, n).Reverse()),
                "A released batch lies in the file exactly in arrival order.");
            rhos.Add(1 - 6.0 * ranks.Select((r, i) => (double)(r - i) * (r - i)).Sum() / (n * ((double)n * n - 1)));
        }
        var mean = rhos.Average();
        Assert.True(Math.Abs(mean) < 0.9, $"File offsets follow arrival order within the released batches (mean rho {mean:F2}).");
    }

    /// <summary>
    /// (c) After its release an answer lies only in the answers table's pages and in the frozen release on the survey
    /// row, in every copy (database and every WAL frame, stale ones too), and once the service has stopped, exactly
    /// once in each of those two places: the sealed row and every earlier release's copy are gone, zeroed.
    /// </summary>
    public static void AnswersOnlyWhereStored(IReadOnlyList<StoreCopy> copies, StoreCopy stopped, uint answersRoot, IReadOnlyList<string> answers)
    {
        foreach (var answer in answers)
            Assert.True(StoreCopy.Count(stopped.Database, answer) + StoreCopy.Count(stopped.Wal, answer) == 2,
                $"{answer} is in the stopped store {StoreCopy.Count(stopped.Database, answer) + StoreCopy.Count(stopped.Wal, answer)} times.");
        var answerPages = answers.SelectMany(stopped.DatabasePagesHolding).Append(answersRoot).ToHashSet();
        foreach (var copy in copies)
        foreach (var answer in answers)
        {
            foreach (var page in copy.DatabasePagesHolding(answer))
                Assert.True(answerPages.Contains(page), $"{answer} lies in database page {page}, which is not the answers table's.");
            foreach (var frame in copy.AllFrames.Where(f => StoreCopy.Holds(f.Data, answer)))
                Assert.True(answerPages.Contains(frame.Page), $"{answer} lies in a WAL frame of page {frame.Page}, which is not the answers table's.");
        }
    }
#endif
}

// The attacker's copies are of the SQLite file and its WAL: PostgreSQL keeps no such folder (SQLite-only).
#if !POSTGRES
/// <summary>One attacker's run: the folder copies taken so far, the answers given and every member identifier.</summary>
internal sealed class Attack(IServiceProvider services) : IDisposable
{
    private readonly string _dbPath = Attacker.DbPath(services);
    private readonly string _folder = Directory.CreateTempSubdirectory("crmbot-attacker-").FullName;
    private readonly List<StoreCopy> _copies = [];
    private readonly Dictionary<string, int> _releasedAt = [];

    public List<string> Answers { get; } = [];
    public List<string> Identifiers { get; } = [];

    public void CopyFolder() => _copies.Add(StoreCopy.Take(_dbPath, Path.Combine(_folder, $"after-{_copies.Count}")));

    /// <summary>Makes a release and copies the folder right after it; the answers waiting until now belong to it.</summary>
    public async Task ReleaseAsync(int surveyId)
    {
        await Attacker.ReleaseAsync(services, surveyId);
        CopyFolder();
        foreach (var answer in Answers.Where(a => !_releasedAt.ContainsKey(a)))
            _releasedAt[answer] = _copies.Count - 1;
    }

    /// <summary>Takes the last copy (the service has stopped, or is idle), checkpoints it as a stop would, and checks (b) and (c).</summary>
    public void AssertNoAnswerCanBeLinked()
    {
        var stoppedFolder = Path.Combine(_folder, "stopped");
        _copies.Add(StoreCopy.Take(_dbPath, stoppedFolder));
        var stopped = StoreCopy.Stopped(stoppedFolder);
        Assert.Equal(Answers.Count, _releasedAt.Count);
        Attacker.NothingBeforeRelease(_copies, Answers, _releasedAt);
        Attacker.OffsetsDoNotFollowArrival(stopped, StoreCopy.RootPage(stoppedFolder, "SurveyAnswers"), Answers, _releasedAt);
        Attacker.NoAnswerCommitNamesAMember(_copies, Answers, Identifiers);
        Attacker.AnswersOnlyWhereStored(_copies, stopped, StoreCopy.RootPage(stoppedFolder, "SurveyAnswers"), Answers);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class SurveyTeamsHost : TeamsHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Feedback:ParticipationKey", Attacker.ParticipationKey)];
    protected override void ConfigureServices(IServiceCollection services) => Attacker.KeepEveryCommitInTheWal(services);
}

public sealed class SurveySlackHost : SlackHost
{
    protected override void Configure(CrmBotFactory factory) => factory.With("Feedback:ParticipationKey", Attacker.ParticipationKey);
    protected override void ConfigureServices(IServiceCollection services) => Attacker.KeepEveryCommitInTheWal(services);
}

public class TeamsAnswerStorageAttackerTests(SurveyTeamsHost host) : IClassFixture<SurveyTeamsHost>
{
    [Fact]
    public async Task AnswersThroughApiMessages_NoCommitTiesOneToAMember_NoStrayCopies_ARetryCountsOnce()
    {
        var surveyId = await Attacker.CreateSurveyAsync(host.Services);
        using var attack = new Attack(host.Services);
        JsonObject? firstAnswer = null;
        for (var i = 0; i < Attacker.Members; i++)
        {
            var tag = Guid.NewGuid().ToString("N")[..12];
            var (user, conversation, aad, name) = ($"29:member-{tag}", $"a:conversation-{tag}", Guid.NewGuid().ToString(), $"Member {tag}");
            attack.Identifiers.AddRange([user, conversation, aad, name]);
            JsonObject Activity()
            {
                var activity = host.Sample("message-personal");
                activity["from"] = new JsonObject { ["id"] = user, ["name"] = name, ["aadObjectId"] = aad };
                activity["conversation"]!["id"] = conversation;
                return activity;
            }

            var hello = Activity();
            hello["text"] = "feedback";
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(hello)).StatusCode);
            await host.RepliesToAsync(hello["id"]!.GetValue<string>());

            var answer = $"teams answer {i} {Guid.NewGuid():N}";
            attack.Answers.Add(answer);
            var submit = Activity();
            submit.Remove("text");
            submit["value"] = new JsonObject { ["verb"] = SurveyFeature.AnswerVerb, ["surveyId"] = surveyId, [SurveyRules.Fields.Answer(0)] = answer };
            firstAnswer ??= submit;
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(submit)).StatusCode);
            await host.RepliesToAsync(submit["id"]!.GetValue<string>());
            Assert.Equal(i + 1, await Attacker.ResponsesAsync(host.Services));
            attack.CopyFolder();
            if ((i + 1) % Attacker.Batch == 0)
                await attack.ReleaseAsync(surveyId);
        }

        attack.AssertNoAnswerCanBeLinked();

        // Teams delivers the same activity again: it is answered ("already answered"), and not counted twice.
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(firstAnswer!)).StatusCode);
        var replies = await host.RepliesToAsync(firstAnswer!["id"]!.GetValue<string>(), 2);
        Assert.Contains("already answered", replies[^1].Body!.ToJsonString());
        Assert.Equal(Attacker.Members, await Attacker.ResponsesAsync(host.Services));
    }
}

public class SlackAnswerStorageAttackerTests(SurveySlackHost host) : IClassFixture<SurveySlackHost>
{
    [Fact]
    public async Task AnswersThroughSlackInteractions_NoCommitTiesOneToAMember_NoPayloadCopies_AResubmitCountsOnce()
    {
        var surveyId = await Attacker.CreateSurveyAsync(host.App.Services);
        using var attack = new Attack(host.App.Services);
        JsonObject? firstSubmission = null;
        for (var i = 0; i < Attacker.Members; i++)
        {
            var tag = Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
            var (user, channel, name, email) = ($"U{tag}", $"D{tag}", $"Member {tag}", $"m{tag}@example.com".ToLowerInvariant());
            attack.Identifiers.AddRange([user, channel, name, email]);
            host.Slack.AddUser(user, name, "Europe/Berlin", email);

            var answer = $"slack answer {i} {Guid.NewGuid():N}";
            attack.Answers.Add(answer);
            var submission = await Attacker.SlackAnswerAsync(host, user, channel, tag, answer);
            firstSubmission ??= submission;
            Assert.Equal(HttpStatusCode.OK, (await host.PostInteractionAsync(submission)).StatusCode);
            await Attacker.WaitForResponsesAsync(host.App.Services, i + 1);
            attack.CopyFolder();
            if ((i + 1) % Attacker.Batch == 0)
                await attack.ReleaseAsync(surveyId);
        }

        // The same submission again (a double click, a resent request): not counted twice.
        Assert.Equal(HttpStatusCode.OK, (await host.PostInteractionAsync(firstSubmission!)).StatusCode);
        await Task.Delay(200);
        Assert.Equal(Attacker.Members, await Attacker.ResponsesAsync(host.App.Services));

        // A clean stop: the service shuts down and closes its connections.
        await host.App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        attack.AssertNoAnswerCanBeLinked();
    }
}
#endif

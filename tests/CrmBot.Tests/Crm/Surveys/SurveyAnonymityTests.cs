using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Crm.Surveys;

/// <summary>
/// The store itself cannot say who answered what: checked on the schema (PRAGMA table_info,
/// foreign keys) and on the data as it lies in the file (rowid order), after N answers from N members.
/// </summary>
public sealed class SurveyAnonymityTests : IAsyncLifetime
{
    private const int N = 24;
    private readonly SurveyFixture _f = new();
    private readonly List<Member> _members = [];
    private Survey _survey = null!;

    // What each member answered, so the test can look for a link the store must not have.
    private static string Marker(int i) => $"zqx-answer-of-member-{i:D2}";

    public async Task InitializeAsync()
    {
        var admin = _f.AddMember("Ada Admin", MemberRole.Admin);
        _survey = await _f.CreateAsync(admin, 3,
            new QuestionDraft("Ease of use", SurveyQuestionType.Rating),
            new QuestionDraft("One thing you would change", SurveyQuestionType.FreeText));
        for (var i = 0; i < N; i++)
        {
            var member = _f.AddMember($"Rep {i:D2}");
            _members.Add(member);
            var result = await _f.AnswerAsync(_survey.Id, member, new AnswerInput(0, Rating: i % 5 + 1), new AnswerInput(1, Text: Marker(i)));
            Assert.Equal(SubmitStatus.Recorded, result.Status);
        }
        // Answers are stored sealed; the release writes them out as the rows these tests look at.
        using var db = _f.Store.NewContext();
        Assert.Equal(N, (await _f.Service(db).ResultsAsync(_survey.Id, admin, default)).Responses);
    }

    public Task DisposeAsync()
    {
        _f.Dispose();
        return Task.CompletedTask;
    }

    private SqliteConnection Raw()
    {
        var db = _f.Store.NewContext();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            connection.Open();
        return connection;
    }

    private List<Dictionary<string, object?>> Query(string sql)
    {
        using var command = Raw().CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        return rows;
    }

    [Theory]
    [InlineData("SurveyResponses", "Id,SurveyId")]
    [InlineData("SurveyAnswers", "Choices,Id,QuestionIndex,Rating,ResponseId,Text")]
    [InlineData("SurveyParticipations", "Id,SurveyId,Token")]
    [InlineData("SealedResponses", "Blob,Id,SurveyId")]
    public void Schema_HasNoColumnThatPointsToAMemberAMessageOrAMoment(string table, string expectedColumns)
    {
        var columns = Query($"PRAGMA table_info({table})");
        // An exact list: a column added later (a member id, a timestamp, a message id) fails here first.
        Assert.Equal(expectedColumns, string.Join(",", columns.Select(c => (string)c["name"]!).Order(StringComparer.Ordinal)));

        // The key is the rowid itself (INTEGER PRIMARY KEY), not a separate insertion-ordered rowid.
        var pk = Assert.Single(columns, c => (long)c["pk"]! == 1);
        Assert.Equal("Id", pk["name"]);
        Assert.Equal("INTEGER", pk["type"]);

        var sql = (string)Query($"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'").Single()["sql"]!;
        Assert.DoesNotContain("AUTOINCREMENT", sql, StringComparison.OrdinalIgnoreCase);
        if (Query("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'").Count > 0)
            Assert.Empty(Query($"SELECT * FROM sqlite_sequence WHERE name = '{table}'"));

        var references = Query($"PRAGMA foreign_key_list({table})").Select(r => (string)r["table"]!).ToList();
        Assert.All(references, r => Assert.Contains(r, new[] { "Surveys", "SurveyResponses" }));
    }

    [Fact]
    public void Rows_AreKeyedByRandomRowids_SoPhysicalOrderIsNotArrivalOrder()
    {
        foreach (var table in new[] { "SurveyResponses", "SurveyParticipations", "SurveyAnswers" })
        {
            // All columns, so SQLite walks the table itself (a narrower select could be served from an index).
            var rows = Query($"SELECT rowid AS r, * FROM {table}");   // physical (B-tree) order
            Assert.All(rows, r => Assert.Equal(r["r"], r["Id"]));
            var ids = rows.Select(r => (long)r["Id"]!).ToList();
            Assert.Equal(ids.Order(), ids);   // a rowid table is read in key order...
            // ...and the keys are random: not small consecutive numbers handed out in arrival order.
            Assert.True(ids.Min() > int.MaxValue, $"{table} has small, sequence-like keys");
        }

        // The N-th answer sheet in the file must not be the N-th member's. Pair the rows the way
        // an attacker would (k-th participation with k-th response) and count correct pairings:
        // random order gives about one; arrival order would give all N.
        var tokenOwner = _members.ToDictionary(m => Convert.ToBase64String(_f.Keys.TokenFor(_survey.Id, m.Id)), m => _members.IndexOf(m));
        var participationOrder = Query("SELECT * FROM SurveyParticipations")
            .Select(r => tokenOwner[Convert.ToBase64String((byte[])r["Token"]!)]).ToList();
        var responseOrder = Query("SELECT r.Id, a.Text FROM SurveyResponses r JOIN SurveyAnswers a ON a.ResponseId = r.Id AND a.QuestionIndex = 1 ORDER BY r.rowid")
            .Select(r => int.Parse(((string)r["Text"]!)[^2..])).ToList();
        var insertionOrder = Enumerable.Range(0, N).ToList();

        Assert.Equal(N, participationOrder.Count);
        Assert.Equal(N, responseOrder.Count);
        Assert.NotEqual(insertionOrder, participationOrder);
        Assert.NotEqual(insertionOrder, responseOrder);
        var linked = participationOrder.Zip(responseOrder).Count(p => p.First == p.Second);
        Assert.True(linked < N / 2, $"{linked} of {N} participations line up with their own answers by row order");
    }

    [Fact]
    public void AnswerText_IsStoredOnlyInTheAnswersTable()
    {
        var tables = Query("SELECT name FROM sqlite_master WHERE type = 'table'").Select(r => (string)r["name"]!).ToList();
        foreach (var table in tables.Where(t => t != "SurveyAnswers"))
        {
            foreach (var row in Query($"SELECT * FROM \"{table}\""))
            {
                // The frozen release holds the texts too, on purpose: shuffled, and only as a batch of at least k.
                var values = table == "Surveys" ? row.Where(c => c.Key != nameof(Survey.ReleasedResults)).Select(c => c.Value) : row.Values;
                Assert.DoesNotContain(values, v => v is string s && s.Contains("zqx-answer", StringComparison.Ordinal));
            }
        }
        Assert.Equal(N, Query("SELECT Text FROM SurveyAnswers WHERE Text LIKE 'zqx-answer%'").Count);
    }

    [Fact]
    public void Participation_IsAKeyedHash_NotAMemberId()
    {
        var tokens = Query("SELECT Token FROM SurveyParticipations").Select(r => (byte[])r["Token"]!).ToList();
        Assert.All(tokens, t => Assert.Equal(32, t.Length));
        // Without the key the token is not the hash of anything guessable (a plain hash of the ids would be).
        var plain = _members.Select(m => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"crmbot/survey-participation/v1:{_survey.Id}:{m.Id}")))).ToHashSet();
        Assert.DoesNotContain(tokens, t => plain.Contains(Convert.ToBase64String(t)));
        // The same member has another token in another survey: participations are not linkable across surveys.
        Assert.NotEqual(_f.Keys.TokenFor(_survey.Id, _members[0].Id), _f.Keys.TokenFor(_survey.Id + 1, _members[0].Id));
    }
}

using CrmBot.Tests.Crm.Surveys;
using System.Text;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using CrmBot.Proactive;
using CrmBot.Tests.Proactive;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Surveys;

/// <summary>
/// The reminder reaches those who had not answered, and then the store forgets who they were:
/// planned by <see cref="SurveyDelivery"/>, sent by the real <see cref="OutboxDispatcher"/>, and
/// the store file read afterwards as someone who copied it would.
/// </summary>
public sealed class SurveyReminderTests : IDisposable
{
    private readonly SharedFileStore _store = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly IOptions<FeedbackOptions> _options = Options.Create(new FeedbackOptions
        { ParticipationKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) });
    private readonly ParticipationKeys _keys;

    public SurveyReminderTests() =>
        _keys = new ParticipationKeys(_options, new StoreLocation(null, true), NullLogger<ParticipationKeys>.Instance);

    public void Dispose() => _store.Dispose();

    private SurveyService Surveys(CrmBot.Crm.CrmDbContext db) => new(db, _keys, _options, _clock, NullLogger<SurveyService>.Instance);

    private SurveyDelivery Delivery(CrmBot.Crm.CrmDbContext db) =>
        new(db, Surveys(db), _keys, new CardTemplates(), _clock, _options, NullLogger<SurveyDelivery>.Instance);

    [Fact]
    public async Task AfterTheRemindersAreSent_NothingInTheStoreNamesWhoGotOne()
    {
        List<Member> members;
        Survey survey;
        await using (var db = _store.NewContext())
        {
            var admin = new Member { Channel = "msteams", TenantId = "t", UserId = "29:admin", DisplayName = "Ada", Role = MemberRole.Admin };
            db.Members.Add(admin);
            members = Enumerable.Range(0, 8)
                .Select(i => db.Members.Add(new Member { Channel = "msteams", TenantId = "t", UserId = $"29:rep-{i}", DisplayName = $"Rep {i}" }).Entity)
                .ToList();
            await db.SaveChangesAsync();
            survey = await Surveys(db).CreateAsync(new SurveyDraft("Pulse", [new QuestionDraft("Ease", SurveyQuestionType.Rating)],
                new DateOnly(2026, 11, 6)), admin, CancellationToken.None);
            await Delivery(db).AddInvitationsAsync(survey, CancellationToken.None);
            await db.SaveChangesAsync();
        }
        foreach (var member in members.Take(3))
        {
            await using var db = _store.NewContext();
            Assert.Equal(SubmitStatus.Recorded, (await Surveys(db).SubmitAsync(survey.Id, member, [new AnswerInput(0, Rating: 3)], CancellationToken.None)).Status);
        }

        var sender = new RecordingSender("msteams");
        var dispatcher = _store.Instance(_clock, null, sender).GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }   // the invitations
        var invited = sender.Delivered.Count;

        _clock.Set(new DateTimeOffset(2026, 11, 5, 9, 0, 0, TimeSpan.Zero));
        await using (var db = _store.NewContext())
            Assert.Equal(6, await Delivery(db).PlanDueRemindersAsync(CancellationToken.None));   // the admin and 5 reps
        while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }

        Assert.Equal(invited + 6, sender.Delivered.Count);   // every non-respondent was reminded
        await using (var db = _store.NewContext())
        {
            var left = await db.Outbox.AsNoTracking().ToListAsync();
            Assert.DoesNotContain(left, o => o.Kind == SurveyDelivery.ReminderKind);
            Assert.DoesNotContain(left, o => o.DedupeKey != null && o.DedupeKey.StartsWith("survey-reminder", StringComparison.Ordinal));
            Assert.DoesNotContain(left, o => o.PayloadJson.Contains("Reminder:", StringComparison.Ordinal));
            Assert.DoesNotContain(await db.AuditEntries.AsNoTracking().ToListAsync(), a => a.EntityType == "Outbox" || a.Action.Contains("remind", StringComparison.OrdinalIgnoreCase));
            // Invitations go to everyone, so the rows left say nothing about who answered.
            Assert.All(members, m => Assert.Single(left, o => o.MemberId == m.Id));
        }

        // A copy of the file after a clean stop holds no reminder key in any form, deleted rows included.
        SqliteConnection.ClearAllPools();
        var path = new SqliteConnectionStringBuilder(_store.ConnectionString).DataSource;
        var text = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(path));
        Assert.DoesNotContain("survey-reminder", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Reminder:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReminderThatCannotBeDelivered_IsForgottenToo_AndItsErrorNamesNoOne()
    {
        Survey survey;
        await using (var db = _store.NewContext())
        {
            var admin = db.Members.Add(new Member { Channel = "msteams", TenantId = "t", UserId = "29:admin", DisplayName = "Ada", Role = MemberRole.Admin }).Entity;
            db.Members.Add(new Member { Channel = "msteams", TenantId = "t", UserId = "29:quinn", DisplayName = "Quinn Quiet" });
            await db.SaveChangesAsync();
            survey = await Surveys(db).CreateAsync(new SurveyDraft("Pulse", [new QuestionDraft("Ease", SurveyQuestionType.Rating)],
                new DateOnly(2026, 11, 6)), admin, CancellationToken.None);
        }
        var logs = new CapturingLoggerProvider();
        _store.Logs = logs;
        var sender = new RecordingSender("msteams")
            .ThenFail(2, () => SendResult.Permanent("the app must be installed before it can message Quinn Quiet"));
        var dispatcher = _store.Instance(_clock, null, sender).GetRequiredService<OutboxDispatcher>();

        _clock.Set(new DateTimeOffset(2026, 11, 5, 9, 0, 0, TimeSpan.Zero));
        await using (var db = _store.NewContext())
            Assert.Equal(2, await Delivery(db).PlanDueRemindersAsync(CancellationToken.None));
        while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }

        Assert.Equal(2, sender.Calls);
        await using (var db = _store.NewContext())
            Assert.Empty(await db.Outbox.AsNoTracking().Where(o => o.Kind == SurveyDelivery.ReminderKind).ToListAsync());
        Assert.Contains("failed for good", logs.All, StringComparison.Ordinal);   // the admin still learns that reminders fail
        Assert.DoesNotContain("Quinn", logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public void ReminderKeys_CannotBeTurnedBackIntoAMember_WithoutTheKey()
    {
        var key = _keys.ReminderKey(4, 17);

        Assert.NotEqual(key, _keys.ReminderKey(4, 18));
        Assert.NotEqual(key, new ParticipationKeys(Options.Create(new FeedbackOptions { ParticipationKey = Convert.ToBase64String(new byte[32]) }),
            new StoreLocation(null, true), NullLogger<ParticipationKeys>.Instance).ReminderKey(4, 17));
        Assert.DoesNotContain(Convert.ToHexStringLower(_keys.TokenFor(4, 17)), key, StringComparison.Ordinal);
    }
}

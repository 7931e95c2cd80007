using System.Collections.Concurrent;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm.Surveys;

/// <summary>Keeps every log line (message, state values and exception text) of every category, at every level.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public string All => string.Join("\n", Lines);

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}

/// <summary>A migrated in-memory store with members and the survey service over it.</summary>
public sealed class SurveyFixture : IDisposable
{
    public TestStore Store { get; } = new();
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));
    public ParticipationKeys Keys { get; }
    public FeedbackOptions Options { get; } = new() { MinResponses = 5 };
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    public SurveyFixture()
    {
        Keys = new ParticipationKeys(Microsoft.Extensions.Options.Options.Create(Options), new StoreLocation(null, true),
            NullLogger<ParticipationKeys>.Instance);
    }

    public DateOnly Today => DateOnly.FromDateTime(Clock.Now.UtcDateTime);

    public SurveyService Service(CrmDbContext db) =>
        new(db, Keys, Microsoft.Extensions.Options.Options.Create(Options), Clock, LoggerFactory.CreateLogger<SurveyService>());

    public Member AddMember(string name, MemberRole role = MemberRole.Rep, int? managerId = null)
    {
        using var db = Store.NewContext();
        var member = new Member
        {
            Channel = "terminal", TenantId = "local", UserId = "u-" + name.ToLowerInvariant().Replace(' ', '-'),
            DisplayName = name, Role = role, ManagerId = managerId, CreatedAt = Clock.Now.UtcDateTime,
        };
        db.Members.Add(member);
        db.SaveChanges();
        return member;
    }

    public async Task<Survey> CreateAsync(Member admin, int? minimum = null, params QuestionDraft[] questions)
    {
        using var db = Store.NewContext();
        return await Service(db).CreateAsync(new SurveyDraft("Pulse", questions, Today.AddDays(7), MinResponses: minimum),
            admin, CancellationToken.None);
    }

    public async Task<SubmitResult> AnswerAsync(int surveyId, Member member, params AnswerInput[] answers)
    {
        using var db = Store.NewContext();
        return await Service(db).SubmitAsync(surveyId, member, answers, CancellationToken.None);
    }

    public async Task<SurveyResults> ResultsAsync(int surveyId, Member caller)
    {
        using var db = Store.NewContext();
        return await Service(db).ResultsAsync(surveyId, caller, CancellationToken.None);
    }

    public void Dispose() => Store.Dispose();
}

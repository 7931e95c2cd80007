using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm.Surveys;

public sealed record QuestionDraft(string Text, SurveyQuestionType Type, IReadOnlyList<string>? Choices = null);

public sealed record SurveyDraft(
    string Title,
    IReadOnlyList<QuestionDraft> Questions,
    DateOnly ClosesOn,
    SurveyAudience Audience = SurveyAudience.AllMembers,
    string? AudienceChannel = null,
    string? AudienceConversationId = null,
    int? MinResponses = null);

/// <summary>One question's answer as submitted. Choices are option indexes.</summary>
public sealed record AnswerInput(int QuestionIndex, int? Rating = null, IReadOnlyList<int>? Choices = null, string? Text = null);

public enum SubmitStatus { Recorded, AlreadyAnswered, Closed, NotFound, Invalid }

/// <param name="Errors">For <see cref="SubmitStatus.Invalid"/>: per answer field, what is wrong (never the answer itself).</param>
public sealed record SubmitResult(SubmitStatus Status, IReadOnlyDictionary<string, string>? Errors = null);

/// <summary>An open survey as a member sees it: the questions, and whether they have already answered.</summary>
public sealed record OpenSurvey(Survey Survey, bool Answered);

/// <summary>Survey and adoption actions the caller's role does not allow. The message is safe to show.</summary>
public sealed class NotAllowedException(string message) : Exception(message);

/// <summary>A draft that cannot become a survey: per form field, what is wrong.</summary>
public sealed class SurveyValidationException(IReadOnlyDictionary<string, string> errors)
    : Exception("The survey is not valid: " + string.Join(" ", errors.Values))
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors;
}

/// <summary>
/// Anonymous surveys over the store. Who answered is a keyed hash in its own table; what was
/// answered is stored sealed at first and written out as a response with a random key at the next
/// release, among at least k others; the two share no column, sequence or time, so the store
/// cannot say who answered what.
/// </summary>
public sealed class SurveyService(
    CrmDbContext db,
    ParticipationKeys keys,
    IOptions<FeedbackOptions> options,
    TimeProvider time,
    ILogger<SurveyService> logger)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public int DefaultMinimum => Math.Max(SurveyRules.MinimumFloor, options.Value.MinResponses);

    /// <summary>Open on a given day: not closed by an admin and not past its close date.</summary>
    public bool IsOpen(Survey survey) => survey.Status == SurveyStatus.Open && survey.ClosesOn >= Today;

    /// <param name="beforeCommit">Adds what must commit with the survey (the outbox messages that send it).</param>
    public async Task<Survey> CreateAsync(SurveyDraft draft, Member caller, CancellationToken ct,
        Func<Survey, CancellationToken, Task>? beforeCommit = null)
    {
        EnsureAdmin(caller, "create");
        var errors = Validate(draft);
        if (errors.Count > 0)
            throw new SurveyValidationException(errors);

        var survey = new Survey
        {
            Title = draft.Title.Trim(),
            Questions = draft.Questions.Select(q => new SurveyQuestion
            {
                Text = q.Text.Trim(),
                Type = q.Type,
                Choices = IsChoice(q.Type) ? Clean(q.Choices).ToList() : [],
            }).ToList(),
            Audience = draft.Audience,
            AudienceChannel = draft.Audience == SurveyAudience.Channel ? draft.AudienceChannel : null,
            AudienceConversationId = draft.Audience == SurveyAudience.Channel ? draft.AudienceConversationId : null,
            ClosesOn = draft.ClosesOn,
            MinResponses = draft.MinResponses ?? DefaultMinimum,
            Status = SurveyStatus.Open,
            CreatedById = caller.Id,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Surveys.Add(survey);
        await db.SaveChangesAsync(ct);
        Audit(caller, survey.Id, "created", null, survey.Title);
        if (beforeCommit is not null)
            await beforeCommit(survey, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Log.SurveyCreated(logger, survey.Id, survey.Questions.Count);
        return survey;
    }

    public async Task<Survey> CloseAsync(int surveyId, Member caller, CancellationToken ct)
    {
        EnsureAdmin(caller, "close");
        var survey = await FindAsync(surveyId, ct);
        if (survey.Status != SurveyStatus.Closed)
        {
            survey.Status = SurveyStatus.Closed;
            survey.ClosedAt = time.GetUtcNow().UtcDateTime;
            Audit(caller, survey.Id, "closed", "Open", "Closed");
            await db.SaveChangesAsync(ct);
            Log.SurveyStatusChanged(logger, survey.Id, "closed");
        }
        // Closing releases under the same rule as any view: fewer than k answers since the last
        // release stay unreleased, since releasing them would show exactly what they said.
        await ReleaseIfDueAsync(survey, caller, ct);
        return survey;
    }

    /// <summary>Reopens a survey; past its close date it needs a new one (a week from today when not given).</summary>
    public async Task<Survey> ReopenAsync(int surveyId, DateOnly? until, Member caller, CancellationToken ct)
    {
        EnsureAdmin(caller, "reopen");
        if (until is { } u && u < Today)
            throw new SurveyValidationException(new Dictionary<string, string> { [SurveyRules.Fields.ClosesOn] = "The new close date is in the past." });
        var survey = await FindAsync(surveyId, ct);
        var oldValue = $"{survey.Status} until {survey.ClosesOn:yyyy-MM-dd}";
        survey.Status = SurveyStatus.Open;
        survey.ClosedAt = null;
        if (until is { } date)
            survey.ClosesOn = date;
        else if (survey.ClosesOn < Today)
            survey.ClosesOn = Today.AddDays(7);
        Audit(caller, survey.Id, "reopened", oldValue, $"Open until {survey.ClosesOn:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        Log.SurveyStatusChanged(logger, survey.Id, "reopened");
        return survey;
    }

    /// <summary>Surveys open for this member (their channel, or everyone), newest first.</summary>
    public async Task<IReadOnlyList<OpenSurvey>> OpenForAsync(Member member, CancellationToken ct)
    {
        var today = Today;
        var surveys = await db.Surveys.AsNoTracking()
            .Where(s => s.Status == SurveyStatus.Open && s.ClosesOn >= today)
            .Where(s => s.Audience == SurveyAudience.AllMembers || s.AudienceChannel == null || s.AudienceChannel == member.Channel)
            .OrderByDescending(s => s.Id)
            .ToListAsync(ct);
        var result = new List<OpenSurvey>(surveys.Count);
        foreach (var survey in surveys)
            result.Add(new OpenSurvey(survey, await HasAnsweredAsync(survey.Id, member.Id, ct)));
        return result;
    }

    public async Task<Survey?> GetAsync(int surveyId, CancellationToken ct) =>
        await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == surveyId, ct);

    /// <summary>Newest first; for the admin's "which survey?" questions.</summary>
    public async Task<IReadOnlyList<Survey>> ListAsync(Member caller, CancellationToken ct)
    {
        EnsureAdmin(caller, "list");
        return await db.Surveys.AsNoTracking().OrderByDescending(s => s.Id).ToListAsync(ct);
    }

    public async Task<bool> HasAnsweredAsync(int surveyId, int memberId, CancellationToken ct)
    {
        var token = keys.TokenFor(surveyId, memberId);
        return await db.SurveyParticipations.AnyAsync(p => p.Token == token, ct);
    }

    /// <summary>
    /// Stores an answer sheet once per member. The participation token and the sealed sheet go in one
    /// transaction (so neither exists without the other) but share nothing a query could join on.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(int surveyId, Member member, IReadOnlyList<AnswerInput> answers, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == surveyId, ct);
        if (survey is null)
            return new SubmitResult(SubmitStatus.NotFound);
        if (!IsOpen(survey))
            return new SubmitResult(SubmitStatus.Closed);

        var token = keys.TokenFor(surveyId, member.Id);
        if (await db.SurveyParticipations.AnyAsync(p => p.Token == token, ct))
        {
            Log.SecondAnswerRefused(logger, surveyId);
            return new SubmitResult(SubmitStatus.AlreadyAnswered);
        }

        var (rows, errors) = ValidateAnswers(survey, answers);
        if (errors.Count > 0)
            return new SubmitResult(SubmitStatus.Invalid, errors);

        db.SurveyParticipations.Add(new SurveyParticipation { Id = RandomKey(), SurveyId = surveyId, Token = token });
        // Sealed, not plaintext: this commit follows the member's own turn in the WAL, so what it
        // holds must say nothing until the release rewrites it among at least k others.
        db.SealedResponses.Add(new SealedResponse { Id = RandomKey(), SurveyId = surveyId, Blob = AnswerSeal.Seal(keys.AnswerKey(surveyId), surveyId, rows) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two submits raced (a double click, a retried delivery): the unique token let one through.
            // The exception is rethrown bare otherwise; its message names tables, never values.
            if (!await AnsweredMeanwhileAsync(token, ct))
                throw;
            Log.SecondAnswerRefused(logger, surveyId);
            return new SubmitResult(SubmitStatus.AlreadyAnswered);
        }
        return new SubmitResult(SubmitStatus.Recorded);
    }

    private async Task<bool> AnsweredMeanwhileAsync(byte[] token, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.SurveyParticipations.AnyAsync(p => p.Token == token, ct);
    }

    /// <summary>
    /// The admin's view: the last release, never live figures. Results are released in steps that
    /// never isolate one person: the first once the minimum (k) have answered, each later one only
    /// when at least k new answers arrived since the last (open, closed or reopened alike). A release
    /// is frozen on the survey row, so every view between two releases is identical: the (k+1)th
    /// answer changes nothing an admin can see until k more have joined it.
    /// </summary>
    public async Task<SurveyResults> ResultsAsync(int surveyId, Member caller, CancellationToken ct)
    {
        EnsureAdmin(caller, "results");
        var survey = await FindAsync(surveyId, ct);
        var total = await ReleaseIfDueAsync(survey, caller, ct);
        return Released(survey, total);
    }

    /// <summary>Releases new results when k new answers wait; returns the count of responses (sealed ones too).</summary>
    private async Task<int> ReleaseIfDueAsync(Survey survey, Member caller, CancellationToken ct)
    {
        var (total, released) = await ReleaseAnswersAsync(survey, ct);
        if (released)
        {
            // Its own commit: the audit table's pages name members (their own audit rows), and the
            // commit that writes answers out must not touch a page that names anyone.
            Audit(caller, survey.Id, "released", null, $"{total} responses");
            await db.SaveChangesAsync(ct);
        }
        return total;
    }

    private Task<(int Total, bool Released)> ReleaseAnswersAsync(Survey survey, CancellationToken ct) =>
        // One transaction: the count and the answers the release is built from are the same snapshot.
        db.InTransactionAsync(async () =>
        {
            var opened = await OpenSealedAsync(survey.Id, ct);
            var total = opened.Count + await db.SurveyResponses.CountAsync(r => r.SurveyId == survey.Id, ct);
            if (total - survey.ReleasedResponses < MinimumOf(survey))
                return (total, false);
            if (opened.Count > 0)
                await WriteOutAsync(survey.Id, opened, ct);
            survey.ReleasedResults = JsonSerializer.Serialize(await ComputeAsync(survey, ct), SurveyModel.JsonOptions);
            survey.ReleasedResponses = total;
            await db.SaveChangesAsync(ct);
            Log.ResultsReleased(logger, survey.Id, total);
            return (total, true);
        }, ct);

    /// <summary>
    /// The survey's sealed sheets, opened in memory. One the key cannot open (the participation
    /// secret was replaced) stays sealed and uncounted, so a release never holds fewer than it says.
    /// </summary>
    private async Task<List<(SealedResponse Row, List<SurveyAnswer> Answers)>> OpenSealedAsync(int surveyId, CancellationToken ct)
    {
        var rows = await db.SealedResponses.Where(r => r.SurveyId == surveyId).ToListAsync(ct);
        if (rows.Count == 0)
            return [];
        var key = keys.AnswerKey(surveyId);
        var opened = new List<(SealedResponse, List<SurveyAnswer>)>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                opened.Add((row, AnswerSeal.Open(key, surveyId, row.Blob)));
            }
            catch (CryptographicException)
            {
                // Counted and logged below; the blob's content is unknown and never logged.
            }
        }
        if (opened.Count < rows.Count)
            Log.UnreadableSealedAnswers(logger, surveyId, rows.Count - opened.Count);
        return opened;
    }

    /// <summary>
    /// Writes the opened sheets out as plaintext responses in a random order, deleting their sealed
    /// rows (secure_delete zeroes them), all in the caller's transaction. The batch is a whole
    /// release (at least k sheets), and SQLite lays cells out in insertion order, so a page shows
    /// only this shuffled order, never arrival order.
    /// </summary>
    private async Task WriteOutAsync(int surveyId, List<(SealedResponse Row, List<SurveyAnswer> Answers)> opened, CancellationToken ct)
    {
        var responses = opened.Select(o => new SurveyResponse { Id = RandomKey(), SurveyId = surveyId, Answers = o.Answers }).ToArray();
        RandomNumberGenerator.Shuffle(responses.AsSpan());
        db.SealedResponses.RemoveRange(opened.Select(o => o.Row));
        // One SaveChanges per response keeps EF from regrouping the inserts by key: the shuffled
        // order is the order the cells are written.
        foreach (var response in responses)
        {
            db.SurveyResponses.Add(response);
            await db.SaveChangesAsync(ct);
        }
        await db.SaveChangesAsync(ct);
    }

    private static int MinimumOf(Survey survey) => Math.Max(SurveyRules.MinimumFloor, survey.MinResponses);

    private static SurveyResults Released(Survey survey, int total)
    {
        var minimum = MinimumOf(survey);
        if (survey.ReleasedResponses == 0 || survey.ReleasedResults is null)
            return new SurveyResults(survey, 0, minimum, []);
        var frozen = JsonSerializer.Deserialize<List<FrozenQuestion>>(survey.ReleasedResults, SurveyModel.JsonOptions) ?? [];
        var questions = new List<QuestionResult>(frozen.Count);
        for (var i = 0; i < Math.Min(frozen.Count, survey.Questions.Count); i++)
        {
            var question = survey.Questions[i];
            var f = frozen[i];
            var labels = question.Type == SurveyQuestionType.Rating ? Enumerable.Range(1, 5).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList()
                : question.Type == SurveyQuestionType.FreeText ? [] : question.Choices;
            questions.Add(new QuestionResult(i, question, f.Answered, f.Average,
                labels.Select((label, g) => new GroupResult(label, g < f.Counts.Count ? f.Counts[g] : null)).ToList(), f.Texts));
        }
        return new SurveyResults(survey, survey.ReleasedResponses, minimum, questions, Math.Max(0, total - survey.ReleasedResponses));
    }

    /// <summary>One question of a release as stored: shown counts only (hidden ones are null already).</summary>
    private sealed record FrozenQuestion(int Answered, double? Average, List<int?> Counts, List<string> Texts);

    private async Task<List<FrozenQuestion>> ComputeAsync(Survey survey, CancellationToken ct)
    {
        var minimum = MinimumOf(survey);
        var answers = await db.SurveyAnswers.AsNoTracking()
            .Where(a => a.Response!.SurveyId == survey.Id)
            .Select(a => new { a.QuestionIndex, a.Rating, a.Choices, a.Text })
            .ToListAsync(ct);
        var questions = new List<FrozenQuestion>(survey.Questions.Count);
        for (var i = 0; i < survey.Questions.Count; i++)
        {
            var question = survey.Questions[i];
            var mine = answers.Where(a => a.QuestionIndex == i).ToList();
            switch (question.Type)
            {
                case SurveyQuestionType.Rating:
                {
                    var ratings = mine.Where(a => a.Rating is >= 1 and <= 5).Select(a => a.Rating!.Value).ToList();
                    var counts = Enumerable.Range(1, 5).Select(v => ratings.Count(r => r == v)).ToArray();
                    var hidden = ratings.Count < minimum ? counts.Select(_ => true).ToArray() : Suppression.Partition(counts, minimum);
                    // An average next to a hidden group can be solved back into it, so it goes too.
                    double? average = ratings.Count >= minimum && !hidden.Any(h => h) ? Math.Round(ratings.Average(), 2) : null;
                    questions.Add(new FrozenQuestion(ratings.Count, average, Shown(counts, hidden), []));
                    break;
                }
                case SurveyQuestionType.SingleChoice:
                case SurveyQuestionType.MultipleChoice:
                {
                    var picks = mine.Where(a => !string.IsNullOrEmpty(a.Choices)).Select(a => ParseChoices(a.Choices!)).ToList();
                    var counts = question.Choices.Select((_, c) => picks.Count(p => p.Contains(c))).ToArray();
                    var hidden = picks.Count < minimum ? counts.Select(_ => true).ToArray()
                        : question.Type == SurveyQuestionType.SingleChoice ? Suppression.Partition(counts, minimum)
                        : Suppression.EachOfTwoSides(counts, picks.Count, minimum);
                    questions.Add(new FrozenQuestion(picks.Count, null, Shown(counts, hidden), []));
                    break;
                }
                default:
                {
                    // Shuffled once per release, and the whole list each time, so the order shows
                    // neither arrival nor which texts the newest release added.
                    var texts = mine.Where(a => !string.IsNullOrWhiteSpace(a.Text)).Select(a => a.Text!).ToArray();
                    RandomNumberGenerator.Shuffle(texts.AsSpan());
                    questions.Add(new FrozenQuestion(texts.Length, null, [], [.. texts]));
                    break;
                }
            }
        }
        return questions;
    }

    private static List<int?> Shown(int[] counts, bool[] hidden) =>
        counts.Select((c, g) => hidden[g] ? null : (int?)c).ToList();

    /// <summary>The results as CSV (what <see cref="ResultsAsync"/> shows, never raw rows); the export is audited.</summary>
    public async Task<string> ExportCsvAsync(int surveyId, Member caller, CancellationToken ct)
    {
        var results = await ResultsAsync(surveyId, caller, ct);
        Audit(caller, surveyId, "exported", null, $"{results.Responses} responses");
        await db.SaveChangesAsync(ct);
        return SurveyCsv.Write(results, IsOpen(results.Survey));
    }

    /// <summary>
    /// The person at the server's command line: they hold the store file already, so they get the
    /// admin's view (never more: the same hidden groups stay hidden).
    /// </summary>
    public static Member Operator { get; } = new()
    {
        Id = 0, Channel = "cli", TenantId = "local", UserId = "operator", DisplayName = "operator (command line)", Role = MemberRole.Admin,
    };

    /// <summary>
    /// Members in the survey's audience who have not answered: the one reminder goes to them.
    /// A channel audience has no member list of its own, so its reminder is one post in the channel.
    /// </summary>
    public async Task<IReadOnlyList<Member>> NotAnsweredAsync(Survey survey, CancellationToken ct)
    {
        if (survey.Audience != SurveyAudience.AllMembers)
            return [];
        var tokens = (await db.SurveyParticipations.AsNoTracking().Where(p => p.SurveyId == survey.Id)
            .Select(p => p.Token).ToListAsync(ct)).Select(Convert.ToBase64String).ToHashSet();
        var members = await db.Members.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
        return members.Where(m => !tokens.Contains(Convert.ToBase64String(keys.TokenFor(survey.Id, m.Id)))).ToList();
    }

    public static bool IsAdmin(Member member) => member.Role == MemberRole.Admin;

    private void EnsureAdmin(Member caller, string action)
    {
        if (IsAdmin(caller))
            return;
        Log.NotAllowed(logger, caller.Id, action);
        throw new NotAllowedException("Only an admin can do that with surveys.");
    }

    private async Task<Survey> FindAsync(int surveyId, CancellationToken ct) =>
        await db.Surveys.FirstOrDefaultAsync(s => s.Id == surveyId, ct) ?? throw new SurveyNotFoundException(surveyId);

    private void Audit(Member caller, int surveyId, string action, string? oldValue, string? newValue) =>
        AuditLog.Add(db, MemberService.ActorFor(caller, caller.Channel), nameof(Survey), surveyId, action, oldValue, newValue);

    private Dictionary<string, string> Validate(SurveyDraft draft)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(draft.Title))
            errors[SurveyRules.Fields.Title] = "Give the survey a title.";
        else if (draft.Title.Trim().Length > SurveyRules.MaxTitleLength)
            errors[SurveyRules.Fields.Title] = $"Keep the title under {SurveyRules.MaxTitleLength} characters.";
        if (draft.Questions.Count is < 1 or > SurveyRules.MaxQuestions)
            errors[SurveyRules.Fields.Questions] = $"A survey has 1 to {SurveyRules.MaxQuestions} questions.";
        for (var i = 0; i < Math.Min(draft.Questions.Count, SurveyRules.MaxQuestions); i++)
        {
            var q = draft.Questions[i];
            if (string.IsNullOrWhiteSpace(q.Text))
                errors[SurveyRules.Fields.Question(i)] = $"Question {i + 1} has no text.";
            else if (q.Text.Trim().Length > SurveyRules.MaxQuestionLength)
                errors[SurveyRules.Fields.Question(i)] = $"Question {i + 1} is longer than {SurveyRules.MaxQuestionLength} characters.";
            if (IsChoice(q.Type))
            {
                var choices = Clean(q.Choices).ToList();
                if (choices.Count is < 2 or > SurveyRules.MaxChoices)
                    errors[SurveyRules.Fields.QuestionChoices(i)] = $"Question {i + 1} needs 2 to {SurveyRules.MaxChoices} choices.";
                else if (choices.Any(c => c.Length > SurveyRules.MaxChoiceLength))
                    errors[SurveyRules.Fields.QuestionChoices(i)] = $"Question {i + 1}: keep each choice under {SurveyRules.MaxChoiceLength} characters.";
                else if (choices.Distinct(StringComparer.OrdinalIgnoreCase).Count() != choices.Count)
                    errors[SurveyRules.Fields.QuestionChoices(i)] = $"Question {i + 1} lists the same choice twice.";
            }
        }
        if (draft.ClosesOn < Today)
            errors[SurveyRules.Fields.ClosesOn] = "The close date is in the past.";
        if (draft.MinResponses is < SurveyRules.MinimumFloor)
            errors[SurveyRules.Fields.MinResponses] = $"The minimum is at least {SurveyRules.MinimumFloor}: smaller groups can be told apart.";
        if (draft.Audience == SurveyAudience.Channel && (string.IsNullOrWhiteSpace(draft.AudienceChannel) || string.IsNullOrWhiteSpace(draft.AudienceConversationId)))
            errors[SurveyRules.Fields.Audience] = "Say which channel the survey goes to.";
        return errors;
    }

    /// <summary>Checks answers against the questions. Messages name the question, never echo the answer.</summary>
    private static (List<SurveyAnswer> Rows, Dictionary<string, string> Errors) ValidateAnswers(Survey survey, IReadOnlyList<AnswerInput> answers)
    {
        var rows = new List<SurveyAnswer>();
        var errors = new Dictionary<string, string>();
        var byIndex = answers.GroupBy(a => a.QuestionIndex).ToDictionary(g => g.Key, g => g.Last());
        for (var i = 0; i < survey.Questions.Count; i++)
        {
            var question = survey.Questions[i];
            var field = SurveyRules.Fields.Answer(i);
            byIndex.TryGetValue(i, out var answer);
            switch (question.Type)
            {
                case SurveyQuestionType.Rating:
                    if (answer?.Rating is int rating && rating is >= 1 and <= 5)
                        rows.Add(new SurveyAnswer { Id = RandomKey(), QuestionIndex = i, Rating = rating });
                    else
                        errors[field] = $"Question {i + 1}: pick a rating from 1 to 5.";
                    break;
                case SurveyQuestionType.SingleChoice:
                case SurveyQuestionType.MultipleChoice:
                    var picks = (answer?.Choices ?? []).Distinct().Order().ToList();
                    if (picks.Count == 0 || picks.Any(p => p < 0 || p >= question.Choices.Count))
                        errors[field] = $"Question {i + 1}: pick one of the choices.";
                    else if (question.Type == SurveyQuestionType.SingleChoice && picks.Count > 1)
                        errors[field] = $"Question {i + 1}: pick only one choice.";
                    else
                        rows.Add(new SurveyAnswer { Id = RandomKey(), QuestionIndex = i, Choices = string.Join(',', picks) });
                    break;
                default:
                    var text = answer?.Text?.Trim();
                    if (text is { Length: > SurveyRules.MaxTextLength })
                        errors[field] = $"Question {i + 1}: keep it under {SurveyRules.MaxTextLength} characters.";
                    else if (!string.IsNullOrEmpty(text))
                        rows.Add(new SurveyAnswer { Id = RandomKey(), QuestionIndex = i, Text = text });
                    break;
            }
        }
        return (rows, errors);
    }

    private static int[] ParseChoices(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out var n) ? n : -1).ToArray();

    private static bool IsChoice(SurveyQuestionType type) =>
        type is SurveyQuestionType.SingleChoice or SurveyQuestionType.MultipleChoice;

    private static IEnumerable<string> Clean(IReadOnlyList<string>? choices) =>
        (choices ?? []).Select(c => c.Trim()).Where(c => c.Length > 0);

    /// <summary>A random positive 63-bit key: the rowid of the row, so nothing in the table follows arrival order.</summary>
    internal static long RandomKey()
    {
        Span<byte> bytes = stackalloc byte[8];
        long value;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            value = BitConverter.ToInt64(bytes) & long.MaxValue;
        } while (value == 0);
        return value;
    }
}

public sealed class SurveyNotFoundException(int surveyId) : Exception($"There is no survey #{surveyId}.")
{
    public int SurveyId { get; } = surveyId;
}

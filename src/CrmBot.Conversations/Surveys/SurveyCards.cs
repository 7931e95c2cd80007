using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;

namespace CrmBot.Conversations.Surveys;

/// <summary>
/// Survey screens: the data each card template binds, and the same content as plain text for the
/// card's fallback (and for channels that show text only).
/// </summary>
public static class SurveyCards
{
    private const int BarWidth = 20;

    public static string Day(DateOnly date) => date.ToString("ddd, MMM d", CultureInfo.InvariantCulture);

    public static object Form(string title, IReadOnlyList<QuestionDraft> questions, DateOnly closesOn, int minResponses,
        Turn turn) => new
    {
        title,
        questions = Enumerable.Range(0, SurveyRules.MaxQuestions).Select(i => new
        {
            n = i + 1,
            textId = SurveyRules.Fields.Question(i),
            typeId = SurveyRules.Fields.QuestionType(i),
            choicesId = SurveyRules.Fields.QuestionChoices(i),
            text = i < questions.Count ? questions[i].Text : "",
            type = TypeValue(i < questions.Count ? questions[i].Type : SurveyQuestionType.Rating),
            choices = i < questions.Count ? string.Join(", ", questions[i].Choices ?? []) : "",
        }).ToList(),
        audience = "members",
        closesOn = closesOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        minResponses = minResponses.ToString(CultureInfo.InvariantCulture),
        minimumFloor = SurveyRules.MinimumFloor,
        conversationId = turn.ConversationId,
        conversationChannel = turn.From.Channel,
        inChannel = turn.Kind != ConversationKind.Personal,
    };

    public static object Invite(Survey survey, bool reminder) => new
    {
        surveyId = survey.Id,
        title = survey.Title,
        questionCount = survey.Questions.Count,
        closesOn = Day(survey.ClosesOn),
        minResponses = survey.MinResponses,
        isReminder = reminder,
    };

    public static string InviteText(Survey survey, bool reminder) =>
        (reminder ? $"Reminder: “{survey.Title}” closes on {Day(survey.ClosesOn)}. If you have not answered yet, type `feedback`."
                  : $"Anonymous survey: “{survey.Title}”, {survey.Questions.Count} questions, open until {Day(survey.ClosesOn)}. Type `feedback` to answer.")
        + " Answers are stored without names.";

    public static object Answer(Survey survey) => new
    {
        surveyId = survey.Id,
        title = survey.Title,
        closesOn = Day(survey.ClosesOn),
        questions = survey.Questions.Select((q, i) => new
        {
            id = SurveyRules.Fields.Answer(i),
            n = i + 1,
            text = q.Text,
            isRating = q.Type == SurveyQuestionType.Rating,
            isSingle = q.Type == SurveyQuestionType.SingleChoice,
            isMultiple = q.Type == SurveyQuestionType.MultipleChoice,
            isText = q.Type == SurveyQuestionType.FreeText,
            choices = q.Choices.Select((c, k) => new { title = c, value = k.ToString(CultureInfo.InvariantCulture) }).ToList(),
        }).ToList(),
    };

    public static string AnswerText(Survey survey)
    {
        var text = new StringBuilder($"“{survey.Title}”, anonymous, open until {Day(survey.ClosesOn)}:");
        for (var i = 0; i < survey.Questions.Count; i++)
        {
            var q = survey.Questions[i];
            text.Append('\n').Append(i + 1).Append(". ").Append(q.Text);
            text.Append(q.Type switch
            {
                SurveyQuestionType.Rating => " (1–5)",
                SurveyQuestionType.FreeText => " (optional)",
                _ => " (" + string.Join(" / ", q.Choices) + (q.Type == SurveyQuestionType.MultipleChoice ? "; pick any" : "") + ")",
            });
        }
        return text.ToString();
    }

    public static object Results(SurveyResults results, bool isOpen) => new
    {
        surveyId = results.Survey.Id,
        title = results.Survey.Title,
        status = isOpen ? "Open" : "Closed",
        isOpen,
        closesOn = Day(results.Survey.ClosesOn),
        covers = Covers(results),
        hidden = results.Hidden,
        releaseNote = results.ReleaseNote(isOpen),
        questions = results.Questions.Select(q => new
        {
            n = q.Index + 1,
            text = q.Question.Text,
            summary = Summary(q),
            lines = Lines(q),
            hiddenNote = results.HiddenNote(q) ?? "",
            hasHiddenNote = q.HasHiddenGroups,
            texts = q.Texts,
        }).ToList(),
    };

    public static string ResultsText(SurveyResults results, bool isOpen)
    {
        var text = new StringBuilder($"#{results.Survey.Id} {results.Survey.Title}: {(isOpen ? "open" : "closed")}, {Covers(results)}.\n")
            .Append(results.ReleaseNote(isOpen));
        foreach (var q in results.Questions)
        {
            text.Append("\n\n").Append(q.Index + 1).Append(". ").Append(q.Question.Text).Append('\n').Append(Summary(q));
            foreach (var line in Lines(q))
                text.Append('\n').Append(line);
            if (results.HiddenNote(q) is { } note)
                text.Append('\n').Append(note);
            foreach (var answer in q.Texts)
                text.Append("\n“").Append(answer).Append('”');
        }
        return text.ToString();
    }

    /// <summary>The released count only: before the first release not even the number of answers shows.</summary>
    private static string Covers(SurveyResults results) =>
        results.Hidden ? "no results released yet" : $"results from {results.Responses} responses";

    private static string Summary(QuestionResult q) => q.Question.Type switch
    {
        SurveyQuestionType.Rating => $"{q.Answered} answers · " + (q.Average is { } a
            ? $"average {a.ToString("0.0", CultureInfo.InvariantCulture)}"
            : "average hidden (it would give back a hidden group)"),
        SurveyQuestionType.SingleChoice => $"{q.Answered} answers",
        SurveyQuestionType.MultipleChoice => $"{q.Answered} answers; each could pick several",
        _ => q.Answered == 0 ? "no written answers" : $"{q.Answered} written answers, in random order",
    };

    /// <summary>
    /// One line per group. With nothing hidden, a bar and a percentage ("5  ███████░░░░░   6  55%");
    /// once a group is hidden, plain counts only, so no bar's length stands in for a hidden figure.
    /// </summary>
    private static List<string> Lines(QuestionResult q)
    {
        if (q.Groups.Count == 0) return [];
        var width = Math.Min(24, q.Groups.Max(g => g.Label.Length));
        return q.Groups.Select(g =>
        {
            var label = g.Label.Length > width ? g.Label[..(width - 1)] + "…" : g.Label.PadRight(width);
            if (g.Count is not { } count)
                return $"{label}  hidden";
            if (q.HasHiddenGroups)
                return $"{label}  {count,3}";
            var share = q.Answered == 0 ? 0 : (double)count / q.Answered;
            var filled = (int)Math.Round(BarWidth * share);
            return $"{label}  {new string('█', filled)}{new string('░', BarWidth - filled)} {count,3} {Math.Round(100 * share),4}%";
        }).ToList();
    }

    public static string TypeValue(SurveyQuestionType type) => type switch
    {
        SurveyQuestionType.Rating => "rating",
        SurveyQuestionType.SingleChoice => "single",
        SurveyQuestionType.MultipleChoice => "multiple",
        _ => "text",
    };

    public static SurveyQuestionType? ParseType(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "rating" => SurveyQuestionType.Rating,
        "single" => SurveyQuestionType.SingleChoice,
        "multiple" => SurveyQuestionType.MultipleChoice,
        "text" => SurveyQuestionType.FreeText,
        _ => null,
    };

    /// <summary>A submitted field as text: Teams sends strings, Slack may send numbers or arrays (multi-select).</summary>
    public static string? Field(JsonObject data, string key) => data[key] switch
    {
        JsonValue v => v.ToString(),
        JsonArray a => string.Join(",", a.Select(x => x?.ToString())),
        _ => null,
    };
}

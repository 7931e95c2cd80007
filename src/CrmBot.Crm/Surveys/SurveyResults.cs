using CrmBot.Crm.Model;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// What an admin sees of a survey: its last release, frozen (see <see cref="SurveyService.ResultsAsync"/>).
/// Hidden counts are null; nothing here belongs to anyone.
/// </summary>
/// <param name="Responses">How many responses the release covers; 0 before the first release.</param>
/// <param name="Unreleased">
/// Answers that arrived after the release (always fewer than the minimum); null before the first
/// release, when not even a count may show.
/// </param>
public sealed record SurveyResults(
    Survey Survey,
    int Responses,
    int Minimum,
    IReadOnlyList<QuestionResult> Questions,
    int? Unreleased = null)
{
    /// <summary>Nothing is released yet: no results and no count of responses.</summary>
    public bool Hidden => Responses == 0;

    /// <summary>Answers still needed for the next release; null before the first one.</summary>
    public int? NeededForNextRelease => Unreleased is { } n ? Minimum - n : null;

    /// <summary>What is released, what waits and why, in plain words; the card, the text and the CSV say the same.</summary>
    public string ReleaseNote(bool isOpen)
    {
        if (Hidden)
            return isOpen
                ? $"No results yet: they are released once {Minimum} people have answered. Until then not even the number of answers shows."
                : $"The survey closed before {Minimum} people answered, so its results stay hidden.";
        var covered = $"These results cover {Responses} responses.";
        var why = $"Results change only in steps of at least {Minimum} new answers, so comparing two releases never shows what one person said.";
        if (isOpen)
            return $"{covered} The next release comes after {NeededForNextRelease} more {Plural(NeededForNextRelease!.Value, "answer")}. {why}";
        return Unreleased is > 0
            ? $"The survey is closed. {covered} {Unreleased} {Plural(Unreleased.Value, "answer")} came after that release and stay hidden: {why} " +
              $"Reopening the survey releases them once {NeededForNextRelease} more people answer."
            : $"The survey is closed; these are its final results, from {Responses} responses.";
    }

    /// <summary>For a question with hidden groups: which, and why.</summary>
    public string? HiddenNote(QuestionResult q)
    {
        if (!q.HasHiddenGroups)
            return null;
        var labels = string.Join(", ", q.Groups.Where(g => g.Hidden).Select(g => g.Label));
        return q.Question.Type == SurveyQuestionType.MultipleChoice
            ? $"Hidden: {labels}. Fewer than {Minimum} picked it or fewer than {Minimum} did not, or it is empty next to a hidden one."
            : $"Hidden: {labels}, together {q.HiddenAnswers} answers. A group of fewer than {Minimum} is hidden with enough others " +
              $"(empty ones too) that it cannot be worked out from the rest.";
    }

    private static string Plural(int n, string word) => n == 1 ? word : word + "s";
}

/// <param name="Answered">How many responses answered it (free text is optional).</param>
/// <param name="Average">Rating average, null when hidden: with a hidden group it would give that group back.</param>
/// <param name="Groups">Per rating value (1–5) or per choice; empty for free text.</param>
/// <param name="Texts">Free-text answers in random order (shuffled once per release).</param>
public sealed record QuestionResult(
    int Index,
    SurveyQuestion Question,
    int Answered,
    double? Average,
    IReadOnlyList<GroupResult> Groups,
    IReadOnlyList<string> Texts)
{
    public bool HasHiddenGroups => Groups.Any(g => g.Hidden);

    /// <summary>
    /// Answers in the hidden groups together (at least the minimum, by <see cref="Suppression"/>);
    /// for a single choice or a rating it is the answered count minus the shown ones anyway.
    /// </summary>
    public int HiddenAnswers => Question.Type == SurveyQuestionType.MultipleChoice || !HasHiddenGroups
        ? 0 : Answered - Groups.Sum(g => g.Count ?? 0);
}

/// <param name="Count">Null when hidden.</param>
public sealed record GroupResult(string Label, int? Count)
{
    public bool Hidden => Count is null;
}

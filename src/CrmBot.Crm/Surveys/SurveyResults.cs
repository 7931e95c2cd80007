using CrmBot.Crm.Model;

namespace CrmBot.Crm.Surveys;

/// <summary>What an admin sees of a survey. Hidden counts are null; nothing here belongs to anyone.</summary>
public sealed record SurveyResults(
    Survey Survey,
    int Responses,
    int Minimum,
    IReadOnlyList<QuestionResult> Questions)
{
    /// <summary>Below the minimum, nothing but the count of responses shows.</summary>
    public bool Hidden => Responses < Minimum;
}

/// <param name="Answered">How many responses answered it (free text is optional).</param>
/// <param name="Average">Rating average, null when hidden: with a hidden group it would give that group back.</param>
/// <param name="Groups">Per rating value (1–5) or per choice; empty for free text.</param>
/// <param name="Texts">Free-text answers in random order (a fresh order every time).</param>
public sealed record QuestionResult(
    int Index,
    SurveyQuestion Question,
    int Answered,
    double? Average,
    IReadOnlyList<GroupResult> Groups,
    IReadOnlyList<string> Texts);

/// <param name="Count">Null when hidden.</param>
public sealed record GroupResult(string Label, int? Count)
{
    public bool Hidden => Count is null;
}

using CrmBot.Crm.Model;

namespace CrmBot.Crm.Surveys;

/// <summary>Ready-made surveys an admin can send as they are or adjust first.</summary>
public static class SurveyTemplates
{
    /// <summary>
    /// After a CRM rollout: is it easy, does it pay for itself in time, did people get enough
    /// training, and the one thing to change.
    /// </summary>
    public static IReadOnlyList<QuestionDraft> PostRolloutPulse { get; } =
    [
        new("How easy is the CRM to use day to day?", SurveyQuestionType.Rating),
        new("Per week, the CRM…", SurveyQuestionType.SingleChoice,
            ["saves me 2+ hours", "saves me up to 2 hours", "makes no difference", "costs me up to 2 hours", "costs me 2+ hours"]),
        new("Was the training enough?", SurveyQuestionType.SingleChoice, ["Yes", "Partly", "No"]),
        new("What is the one thing you would change?", SurveyQuestionType.FreeText),
    ];

    public const string PostRolloutPulseTitle = "Post-rollout pulse";
}

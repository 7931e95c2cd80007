namespace CrmBot.Conversations.Cards;

/// <summary>Every card template, by file name in cards/ (without .json). The lint test checks each has a file.</summary>
public static class CardNames
{
    public const string Help = "help";
    public const string LogForm = "log-form";
    public const string ActivityLogged = "activity-logged";
    public const string FollowUps = "follow-ups";
    public const string ContactSummary = "contact-summary";
    public const string ContactPicker = "contact-picker";
    public const string Deal = "deal";
    public const string Deals = "deals";
    public const string DealStageChanged = "deal-stage-changed";
    public const string Company = "company";
    public const string History = "history";
    public const string Confirm = "confirm";
    public const string DuplicateCheck = "duplicate-check";
    public const string Error = "error";
    public const string SurveyForm = "survey-form";
    public const string SurveyInvite = "survey-invite";
    public const string SurveyAnswer = "survey-answer";
    public const string SurveyThanks = "survey-thanks";
    public const string SurveyResults = "survey-results";
    public const string WeeklyDigest = "weekly-digest";
    public const string ReportPipeline = "report-pipeline";
    public const string ReportWinRate = "report-win-rate";
    public const string ReportForecast = "report-forecast";
    public const string ReportSalesCycle = "report-sales-cycle";
    public const string ReportConversion = "report-conversion";
    public const string ReportStaleDeals = "report-stale-deals";
    public const string ReportTeamActivity = "report-team-activity";
}

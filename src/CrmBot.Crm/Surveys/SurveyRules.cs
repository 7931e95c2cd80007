namespace CrmBot.Crm.Surveys;

/// <summary>The limits a survey and its answers must respect, in one place (service, cards, tests).</summary>
public static class SurveyRules
{
    public const int MinimumFloor = 3;
    public const int MaxQuestions = 8;
    public const int MaxChoices = 10;
    public const int MaxTextLength = 2000;
    public const int MaxTitleLength = 200;
    public const int MaxQuestionLength = 300;
    public const int MaxChoiceLength = 100;

    /// <summary>Field ids shared by the service's validation errors and the survey form card.</summary>
    public static class Fields
    {
        public const string Title = "title";
        public const string Questions = "questions";
        public const string Audience = "audience";
        public const string ClosesOn = "closesOn";
        public const string MinResponses = "minResponses";
        public static string Question(int index) => $"q{index + 1}";
        public static string QuestionType(int index) => $"q{index + 1}Type";
        public static string QuestionChoices(int index) => $"q{index + 1}Choices";
        public static string Answer(int index) => $"a{index + 1}";
    }
}

using System.ComponentModel.DataAnnotations;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// The smallest group any figure may describe, on its own so reports can read it without the survey settings (whose
/// validation needs the participation key, which a report has no use for). Bound to the "Feedback" section.
/// </summary>
public class MinimumGroupOptions
{
    public const string Section = "Feedback";

    /// <summary>
    /// Default minimum number of responses before any result shows, and the smallest group any
    /// breakdown may show. Three is the floor: below it, "the other two" can usually work it out.
    /// </summary>
    [Range(SurveyRules.MinimumFloor, 10_000, ErrorMessage = "Feedback:MinResponses must be at least 3.")]
    public int MinResponses { get; set; } = 5;
}

/// <summary>The "Feedback" configuration section: anonymous surveys.</summary>
public sealed class FeedbackOptions : MinimumGroupOptions, IValidatableObject
{
    /// <summary>
    /// Base64 key (at least 32 bytes) for the participation hash. A secret: user secrets or the
    /// environment, never the repository. When empty, a key is generated once into a file beside
    /// the SQLite store (<see cref="ParticipationKeyFile"/>).
    /// </summary>
    public string? ParticipationKey { get; set; }

    /// <summary>Where the generated key lives; default "&lt;store file&gt;.participation-key".</summary>
    public string? ParticipationKeyFile { get; set; }

    /// <summary>How many days before the close date the one reminder goes out.</summary>
    [Range(0, 60)]
    public int ReminderDaysBefore { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ParticipationKey) && ParticipationKeys.TryDecode(ParticipationKey) is null)
            yield return new ValidationResult("Feedback:ParticipationKey must be base64 of at least 32 bytes.",
                [nameof(ParticipationKey)]);
    }
}

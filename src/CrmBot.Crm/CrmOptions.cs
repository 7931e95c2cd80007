using System.ComponentModel.DataAnnotations;

namespace CrmBot.Crm;

/// <summary>The "Crm" configuration section.</summary>
public sealed class CrmOptions
{
    public const string Section = "Crm";

    /// <summary>Chat user ids or emails that start as admins.</summary>
    public List<string> Admins { get; set; } = [];

    /// <summary>Where stage changes are announced: a Teams channel conversation id or a Slack channel id.</summary>
    public string? NotificationChannel { get; set; }

    /// <summary>Local time of the morning digest (HH:mm), in each member's own zone.</summary>
    [RegularExpression(@"^([01]\d|2[0-3]):[0-5]\d$", ErrorMessage = "Crm:DigestTime must be HH:mm, e.g. 09:00.")]
    public string DigestTime { get; set; } = "09:00";

    /// <summary>
    /// The pipeline, in order. Null means the default pipeline (<see cref="PipelineStage.Defaults"/>);
    /// configuration replaces it whole rather than appending to it.
    /// </summary>
    public List<PipelineStage>? Stages { get; set; }

    public IReadOnlyList<PipelineStage> Pipeline => Stages is { Count: > 0 } ? Stages : PipelineStage.Defaults;

    /// <summary>
    /// The chance a deal in <paramref name="stage"/> is won, for weighted amounts: the configured Probability; failing
    /// that 1 for won, 0 for lost, and for an open stage a share rising evenly with its place among the open stages
    /// (so a pipeline configured without probabilities still weighs later stages more).
    /// </summary>
    public decimal ProbabilityOf(PipelineStage stage)
    {
        if (stage.Probability is { } given) return given;
        if (stage.IsClosed) return stage.IsWon ? 1m : 0m;
        var open = Pipeline.Where(s => !s.IsClosed).ToList();
        var place = open.IndexOf(stage);
        return place < 0 ? 0m : Math.Round((place + 1m) / (open.Count + 1m), 2);
    }
}

/// <summary>A pipeline stage and the criterion a deal must meet to leave it.</summary>
public sealed class PipelineStage
{
    public string Name { get; set; } = "";
    public string? ExitCriterion { get; set; }
    /// <summary>Other words people use for it ("proposal", "negotiating", "won").</summary>
    public List<string> Synonyms { get; set; } = [];
    public bool IsClosed { get; set; }
    public bool IsWon { get; set; }
    /// <summary>The chance (0..1) a deal in this stage is won, for weighted pipeline amounts; see <see cref="CrmOptions.ProbabilityOf"/>.</summary>
    public decimal? Probability { get; set; }

    public static IReadOnlyList<PipelineStage> Defaults { get; } =
    [
        new() { Name = "Lead", Probability = 0.1m, ExitCriterion = "Budget known", Synonyms = ["new", "prospect"] },
        new() { Name = "Qualified", Probability = 0.2m, ExitCriterion = "Authority identified", Synonyms = ["qualify", "sql"] },
        new() { Name = "Meeting Scheduled", Probability = 0.4m, ExitCriterion = "Demo completed", Synonyms = ["meeting", "demo", "scheduled"] },
        new() { Name = "Proposal Sent", Probability = 0.6m, ExitCriterion = "Pricing discussed", Synonyms = ["proposal", "quote", "quoted"] },
        new() { Name = "Negotiation", Probability = 0.8m, ExitCriterion = "Agreement signed", Synonyms = ["negotiating", "negotiate", "contract"] },
        new() { Name = "Closed Won", Probability = 1m, IsClosed = true, IsWon = true, Synonyms = ["won", "win", "closed won"] },
        new() { Name = "Closed Lost", Probability = 0m, IsClosed = true, Synonyms = ["lost", "lose", "closed lost", "dead"] },
    ];
}

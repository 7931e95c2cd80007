using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CrmBot.Conversations.Pipeline;

/// <summary>
/// Refuses to start while a setting the pipeline took over is still set under its old section: it would be ignored
/// without a word, and an operator's tuning (slots, leases) silently lost.
/// </summary>
internal sealed class MovedPipelineSettings(IConfiguration configuration) : IValidateOptions<PipelineOptions>
{
    private static readonly (string Old, string New)[] Moved =
    [
        ("Bot:MaxConcurrentTurns", "Pipeline:MaxConcurrentTurns"),
        ("Slack:WorkLease", "Pipeline:WorkLease"),
        ("Slack:RecoveryInterval", "Pipeline:RecoveryInterval"),
        ("Slack:MaxAttempts", "Pipeline:MaxAttempts"),
        ("Slack:DeliveryRetention", "Pipeline:DeliveryRetention"),
    ];

    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var stale = Moved.Where(m => configuration[m.Old] is not null).Select(m => $"{m.Old} is now {m.New}").ToList();
        return stale.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Settings moved to the Pipeline section: {string.Join("; ", stale)}. Move them there.");
    }
}

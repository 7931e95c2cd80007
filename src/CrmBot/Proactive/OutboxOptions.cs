using System.ComponentModel.DataAnnotations;

namespace CrmBot.Proactive;

/// <summary>The "Outbox" configuration section: how proactive messages are dispatched and retried.</summary>
public sealed class OutboxOptions : IValidatableObject
{
    public const string Section = "Outbox";

    /// <summary>After this long since the first attempt, a row that still fails is marked Failed.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a claim keeps other dispatchers off a row; a dead dispatcher's rows wait this long.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>One send may take this long before it counts as a timeout. Must stay well inside the lease.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry delay; doubles per attempt (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Rows that are done (Sent, folded into a digest, skipped) are deleted this long after they finished.
    /// Failed rows are kept until `outbox retry` or a person deletes them: they are what an operator investigates.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    [Range(1, 500)]
    public int BatchSize { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Lease <= TimeSpan.Zero || SendTimeout <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || RetryBaseDelay <= TimeSpan.Zero)
            yield return new ValidationResult("Outbox: Lease, SendTimeout, PollInterval and RetryBaseDelay must be positive.");
        // A send that outlives its lease could be overtaken by another dispatcher: a double send.
        if (SendTimeout * 2 > Lease)
            yield return new ValidationResult("Outbox:SendTimeout must be at most half of Outbox:Lease.");
        if (Retention <= TimeSpan.Zero)
            yield return new ValidationResult("Outbox:Retention must be positive.");
        if (GiveUpAfter <= TimeSpan.Zero)
            yield return new ValidationResult("Outbox:GiveUpAfter must be positive.");
        if (RetryMaxDelay < RetryBaseDelay)
            yield return new ValidationResult("Outbox:RetryMaxDelay must be at least Outbox:RetryBaseDelay.");
    }
}

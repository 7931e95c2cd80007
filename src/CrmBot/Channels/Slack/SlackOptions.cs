using System.ComponentModel.DataAnnotations;

namespace CrmBot.Channels.Slack;

/// <summary>Settings under <c>Slack:</c>. Token and secret come from user secrets or the environment.</summary>
public sealed class SlackOptions
{
    public const string Section = "Slack";

    /// <summary>Bot User OAuth token (xoxb-…), sent as the bearer of every Web API call.</summary>
    public string? BotToken { get; set; }

    /// <summary>The app's signing secret. Without it every inbound request is refused.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>Web API base; tests point it at a loopback fake.</summary>
    [Required]
    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>Largest request body accepted (Slack's own payloads stay far below this).</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>Inbound work waiting for a worker; beyond this, requests are refused with 503 (never dropped after an ack).</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Requests worked on at once.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>How long a modal submission may wait for the engine before the modal is closed and the answer posted instead.</summary>
    public TimeSpan SubmissionTimeout { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>First wait before retrying a 502/503/504 (doubling after); a 429's Retry-After takes precedence.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>users.info answers (time zone, email) are reused for this long.</summary>
    public TimeSpan UserCacheDuration { get; set; } = TimeSpan.FromHours(1);
}

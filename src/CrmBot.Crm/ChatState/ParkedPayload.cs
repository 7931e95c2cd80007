namespace CrmBot.Crm.ChatState;

/// <summary>
/// Data a chat platform cannot carry in full (a Slack button value is capped at 2000 characters,
/// modal metadata at 3000), kept here under a random id that travels instead. In the store rather
/// than in memory because the click may reach another service instance.
/// </summary>
public class ParkedPayload
{
    /// <summary>Random, unguessable (32 hex chars).</summary>
    public required string Id { get; set; }
    public required string Json { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

namespace CrmBot.Crm.ChatState;

/// <summary>
/// The channel ids stored with members, activities, addresses and deliveries, in one place. Here rather than
/// in the chat layer because the store keeps them and the CRM's terminal identity names one.
/// </summary>
public static class ChannelIds
{
    /// <summary>Microsoft Teams, as the Bot Framework names it in an activity's channelId.</summary>
    public const string Teams = "msteams";
    public const string Slack = "slack";
    /// <summary>The `chat` verb at a terminal.</summary>
    public const string Terminal = "terminal";

    /// <summary>The chat platforms, which (unlike the terminal) can reach a person unasked: digests, notes, surveys.</summary>
    public static readonly string[] ChatPlatforms = [Teams, Slack];
}

namespace CrmBot.Channels.Slack;

/// <summary>A slash command's form fields (the ones CrmBot uses).</summary>
internal sealed record SlashCommand(string TeamId, string? TeamDomain, string UserId, string? UserName, string ChannelId,
    string Command, string Text, string? ResponseUrl, string? TriggerId);

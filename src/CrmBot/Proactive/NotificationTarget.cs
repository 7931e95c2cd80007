using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Outbox;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Where Crm:NotificationChannel points: "msteams:&lt;channel conversation id&gt;"
/// (e.g. "msteams:19:abc…@thread.tacv2") or "slack:&lt;channel id&gt;" (e.g. "slack:C0123ABCD").
/// The prefix says which platform; everything after the first colon is that platform's id
/// (Teams ids contain colons themselves).
/// </summary>
public static class NotificationTarget
{
    public static bool TryParse(string? value, out ProactiveAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(value)) return false;
        var colon = value.IndexOf(':');
        if (colon <= 0 || colon == value.Length - 1) return false;
        var channel = value[..colon].Trim().ToLowerInvariant();
        var id = value[(colon + 1)..].Trim();
        if (!ChannelIds.ChatPlatforms.Contains(channel) || id.Length == 0) return false;
        address = ProactiveAddress.ToConversation(channel, id);
        return true;
    }
}

/// <summary>Refuses to start with a notification channel that cannot be read, rather than dropping every notification.</summary>
internal sealed class NotificationChannelValidator : IValidateOptions<CrmOptions>
{
    public ValidateOptionsResult Validate(string? name, CrmOptions options) =>
        string.IsNullOrWhiteSpace(options.NotificationChannel) || NotificationTarget.TryParse(options.NotificationChannel, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "Crm:NotificationChannel must be \"msteams:<channel conversation id>\" or \"slack:<channel id>\", e.g. \"slack:C0123ABCD\".");
}

using CrmBot.Channels.Slack;
using YamlDotNet.RepresentationModel;

namespace CrmBot.Tests.Channels.Slack;

/// <summary>The manifest asks for what the code serves and needs, and nothing more.</summary>
public class SlackManifestTests
{
    private static readonly YamlMappingNode Root = Load();

    private static YamlMappingNode Load()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "manifests", "slack", "manifest.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode At(params string[] path) =>
        path.Aggregate((YamlNode)Root, (node, key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)]);

    private static string Scalar(params string[] path) => ((YamlScalarNode)At(path)).Value!;

    private static string[] Sequence(params string[] path) =>
        ((YamlSequenceNode)At(path)).Children.Cast<YamlScalarNode>().Select(s => s.Value!).ToArray();

    [Fact]
    public void BotUser_AndDirectMessages_AreEnabled()
    {
        Assert.Equal("CrmBot", Scalar("features", "bot_user", "display_name"));
        Assert.Equal("true", Scalar("features", "app_home", "messages_tab_enabled"));
    }

    [Fact]
    public void RequestUrls_PointAtOurEndpoints_OnAPlaceholderHost()
    {
        var command = (YamlMappingNode)((YamlSequenceNode)At("features", "slash_commands")).Children.Single();
        Assert.Equal("/crm", ((YamlScalarNode)command.Children[new YamlScalarNode("command")]).Value);
        Assert.Equal("https://crmbot.example.com/slack/commands", ((YamlScalarNode)command.Children[new YamlScalarNode("url")]).Value);
        Assert.Equal("https://crmbot.example.com/slack/events", Scalar("settings", "event_subscriptions", "request_url"));
        Assert.Equal("https://crmbot.example.com/slack/interactions", Scalar("settings", "interactivity", "request_url"));
        Assert.Equal("true", Scalar("settings", "interactivity", "is_enabled"));
        Assert.Equal("false", Scalar("settings", "socket_mode_enabled"));
    }

    [Fact]
    public void Events_AreExactlyMentionsAndDirectMessages() =>
        Assert.Equal(["app_mention", "message.im"], Sequence("settings", "event_subscriptions", "bot_events"));

    [Fact]
    public void LogToCrm_IsAMessageShortcut_WithTheCallbackIdTheEndpointExpects()
    {
        var shortcut = (YamlMappingNode)((YamlSequenceNode)At("features", "shortcuts")).Children.Single();
        string S(string key) => ((YamlScalarNode)shortcut.Children[new YamlScalarNode(key)]).Value!;
        Assert.Equal("Log to CRM", S("name"));
        Assert.Equal("message", S("type"));
        Assert.Equal(SlackEndpoints.LogToCrmCallbackId, S("callback_id"));
    }

    [Fact]
    public void Scopes_AreOnlyThoseTheCodeUses() =>
        Assert.Equal(
            ["app_mentions:read", "chat:write", "commands", "im:history", "im:write", "users:read", "users:read.email"],
            Sequence("oauth_config", "scopes", "bot").Order(StringComparer.Ordinal).ToArray());
}

using System.Text.Json.Nodes;
using CrmBot.Channels.Teams;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Cards;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Proactive;
using CrmBot.Conversations.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace CrmBot.Tests.Conversations;

/// <summary>
/// Every example the bot shows (the help card's commands, the Teams command list, Slack's usage hint) works
/// exactly as written: typed as it stands, by an admin on the demo store, it is claimed by the feature that
/// shows it and answered without "I didn't understand" or an error.
/// </summary>
public class HelpExamplesTests
{
    /// <summary>Help entries are concrete examples, separated by " · "; no placeholders or alternatives to fill in.</summary>
    private const string Separator = " · ";

    private static ConversationHost Host() => new(services =>
    {
        var configuration = new ConfigurationBuilder().Build();
        services.AddProactiveMessages(configuration);
        services.AddSurveyChat();
    });

    private static async Task<ConversationHost> DemoAsAdminAsync()
    {
        var host = Host();
        await host.SeedDemoAsync();
        await host.WithDbAsync(async db =>
        {
            (await db.Members.SingleAsync()).Role = MemberRole.Admin;
            // The members the role examples name.
            foreach (var name in new[] { "Megan", "Mike" })
                db.Members.Add(new Member { Channel = "slack", TenantId = "T1", UserId = "U-" + name, DisplayName = name });
            return await db.SaveChangesAsync();
        });
        return host;
    }

    private static IReadOnlyList<(string Owner, string Example)> HelpExamples()
    {
        using var host = Host();
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetServices<IChatFeature>()
            .SelectMany(f => f.Help.SelectMany(h => h.Usage.Split(Separator)).Select(e => (f.GetType().Name, e.Trim())))
            .ToList();
    }

    [Fact]
    public void HelpEntries_AreConcreteExamples()
    {
        foreach (var (owner, example) in HelpExamples())
            Assert.True(example.IndexOfAny(['|', '<', '>', '[', ']']) < 0, $"{owner}: \"{example}\" is not an example a rep can type as it stands");
    }

    [Fact]
    public async Task EveryHelpExample_IsClaimedByItsFeature_AndAnswered()
    {
        using var host = await DemoAsAdminAsync();
        foreach (var (owner, example) in HelpExamples())
        {
            await host.SayAsync("cancel");
            using (var scope = host.Services.CreateScope())
            {
                var utterance = new Utterance(example, new DateOnly(2026, 11, 25));
                var claims = scope.ServiceProvider.GetServices<IChatFeature>()
                    .Select(f => (Feature: f.GetType().Name, Claim: f.Claim(utterance))).Where(c => c.Claim is not null).ToList();
                Assert.True(claims.Count > 0, $"\"{example}\" ({owner}) is claimed by no feature");
                var best = claims.MaxBy(c => c.Claim!.Confidence);
                Assert.True(best.Feature == owner, $"\"{example}\" is shown by {owner} but claimed by {best.Feature}");
            }
            await AssertAnsweredAsync(host, example);
        }
    }

    [Fact]
    public async Task TheTeamsCommandList_AndSlacksUsageHint_Work()
    {
        using var host = await DemoAsAdminAsync();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(TeamsAppPackage.TemplateDirectory, "manifest.json")))!;
        var commands = manifest["bots"]![0]!["commandLists"]![0]!["commands"]!.AsArray();
        Assert.NotEmpty(commands);
        foreach (var command in commands)
        {
            var title = command!["title"]!.GetValue<string>();
            var description = command["description"]!.GetValue<string>();
            // "What it does: the example", and the example starts with the command, as Teams types it in the box.
            var colon = description.IndexOf(": ", StringComparison.Ordinal);
            Assert.True(colon > 0, $"Teams command \"{title}\" has no example in \"{description}\"");
            var example = description[(colon + 2)..];
            Assert.StartsWith(title, example, StringComparison.OrdinalIgnoreCase);
            await host.SayAsync("cancel");
            await AssertAnsweredAsync(host, example);
        }

        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "manifests", "slack", "manifest.yml"))) yaml.Load(reader);
        var slash = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)
            .Children[new YamlScalarNode("features")]).Children[new YamlScalarNode("slash_commands")]).Children[0];
        await host.SayAsync("cancel");
        await AssertAnsweredAsync(host, ((YamlScalarNode)slash.Children[new YamlScalarNode("usage_hint")]).Value!);
    }

    private static async Task AssertAnsweredAsync(ConversationHost host, string example)
    {
        var replies = await host.SayAsync(example);
        var text = replies.Text();
        Assert.True(replies.Count > 0, $"\"{example}\" got no reply");
        Assert.DoesNotContain("didn't understand", text);
        Assert.DoesNotContain("couldn't find", text);
        Assert.DoesNotContain(replies, r => r is CardReply { CardName: CardNames.Error });
    }
}

using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Conversations.Cards;

/// <summary>
/// Every card template binds its sample data into a card the channels can show: valid JSON, nothing
/// left unbound, only elements the Slack renderer knows (a chart only with a text fallback), every button's verb handled by a feature
/// registered in the real app, under Teams' 28 KB limit.
/// </summary>
public class CardLintTests
{
    private static readonly HashSet<string> Elements =
        ["TextBlock", "FactSet", "ColumnSet", "Column", "Container", "Image", "ActionSet",
         "Input.Text", "Input.Date", "Input.ChoiceSet", "Input.Toggle",
         "Chart.VerticalBar", "Chart.HorizontalBar", "Chart.Donut", "Chart.Line"];
    private static readonly HashSet<string> Actions = ["Action.Submit", "Action.Execute", "Action.OpenUrl", "Action.ShowCard"];

    private static readonly Lazy<HashSet<string>> HandledVerbs = new(() =>
    {
        // The app as it runs, so commands other areas register count too.
        var app = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=lint-unused.db", "--environment=Testing"]);
        using var scope = app.Services.CreateScope();
        var verbs = scope.ServiceProvider.GetServices<IChatFeature>().SelectMany(f => f.Verbs).ToHashSet();
        verbs.Add(Prompts.AnswerVerb);
        return verbs;
    });

    public static TheoryData<string> CardFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var f in Directory.GetFiles(CardTemplates.DefaultDirectory, "*.json").Order()) data.Add(Path.GetFileNameWithoutExtension(f));
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CardFiles))]
    public void Template_BindsItsSample_IntoAValidCard(string name)
    {
        var samplePath = Path.Combine(CardTemplates.DefaultDirectory, "samples", name + ".data.json");
        Assert.True(File.Exists(samplePath), $"cards/samples/{name}.data.json is missing");
        var sample = JsonNode.Parse(File.ReadAllText(samplePath));

        var card = new CardTemplates().Bind(name, sample);

        var json = card.ToJsonString();
        var reparsed = JsonNode.Parse(json)!.AsObject();
        Assert.DoesNotContain("${", json);
        Assert.DoesNotContain("\"$data\"", json);
        Assert.DoesNotContain("\"$when\"", json);
        Assert.True(Encoding.UTF8.GetByteCount(json) < 28 * 1024, $"{name} is {Encoding.UTF8.GetByteCount(json)} bytes");
        Assert.Equal("AdaptiveCard", reparsed["type"]?.GetValue<string>());
        Assert.Equal("1.5", reparsed["version"]?.GetValue<string>());

        var inputIds = new List<string>();
        var actions = 0;
        Walk(reparsed, name, inputIds, ref actions);
        Assert.Equal(inputIds.Count, inputIds.Distinct().Count());
        Assert.True(actions > 0 || reparsed["body"] is JsonArray { Count: > 0 }, $"{name} binds to an empty card");
    }

    [Fact]
    public void EveryCardName_HasATemplate_AndEveryTemplate_HasAName()
    {
        var names = typeof(CardNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var files = Directory.GetFiles(CardTemplates.DefaultDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();

        Assert.Empty(names.Except(files));
        Assert.Empty(files.Except(names));
    }

    [Fact]
    public void CardVerbs_AreOwnedByOneFeatureEach()
    {
        var app = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=lint-unused.db", "--environment=Testing"]);
        using var scope = app.Services.CreateScope();
        var owners = scope.ServiceProvider.GetServices<IChatFeature>()
            .SelectMany(f => f.Verbs.Select(v => (Verb: v, Feature: f.GetType().Name)))
            .GroupBy(x => x.Verb).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Feature))}");

        Assert.Empty(owners);
    }

    private static void Walk(JsonNode? node, string card, List<string> inputIds, ref int actions)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"] is JsonValue t && t.GetValue<string>() is var type && type != "AdaptiveCard")
                {
                    if (type.StartsWith("Action.", StringComparison.Ordinal))
                    {
                        Assert.True(Actions.Contains(type), $"{card}: action {type} is not one every channel renders");
                        actions++;
                        if (type is "Action.Submit" or "Action.Execute")
                        {
                            var verb = o["data"]?["verb"]?.GetValue<string>();
                            Assert.False(string.IsNullOrEmpty(verb), $"{card}: a {type} without data.verb");
                            Assert.True(HandledVerbs.Value.Contains(verb!), $"{card}: verb \"{verb}\" is handled by no feature");
                        }
                    }
                    else if (o.Parent is JsonArray && !IsChoiceOrFact(o))
                    {
                        Assert.True(Elements.Contains(type), $"{card}: element {type} is not one the Slack renderer handles");
                        // Slack, the terminal and hosts without charts show a chart's fallback: it must be there, and shown.
                        if (type.StartsWith("Chart.", StringComparison.Ordinal))
                            Assert.True(o["fallback"] is JsonObject { } fallback && fallback["type"]?.GetValue<string>() is { } f
                                && Elements.Contains(f) && !f.StartsWith("Chart.", StringComparison.Ordinal),
                                $"{card}: {type} needs a fallback element that every channel shows (the numbers as text)");
                        if (type.StartsWith("Input.", StringComparison.Ordinal))
                            inputIds.Add(o["id"]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"{card}: an input without id"));
                    }
                }
                foreach (var (_, child) in o) Walk(child, card, inputIds, ref actions);
                break;
            case JsonArray a:
                foreach (var child in a) Walk(child, card, inputIds, ref actions);
                break;
        }
    }

    private static bool IsChoiceOrFact(JsonObject o) => o.ContainsKey("title") && o.ContainsKey("value") && !o.ContainsKey("id");
}

using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Conversations.Cards;
using CrmBot.Fakes.Slack;

namespace CrmBot.Tests.Channels.Slack;

/// <summary>
/// Every card in cards/, bound to its sample data, renders to Block Kit that Slack accepts: as a
/// message, and as a modal when it is a form. Also with the sample blown up (long texts, long
/// lists), since real data is never as tidy as a sample: Slack's limits must hold anyway.
/// </summary>
public class CardTemplatesBlockKitTests(TestStore store) : IClassFixture<TestStore>
{
    public static TheoryData<string> Cards
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var f in Directory.GetFiles(CardTemplates.DefaultDirectory, "*.json").Order(StringComparer.Ordinal))
                data.Add(Path.GetFileNameWithoutExtension(f));
            return data;
        }
    }

    [Fact]
    public void TheTemplatesAreThere()
    {
        var count = Directory.GetFiles(CardTemplates.DefaultDirectory, "*.json").Length;
        Assert.True(count >= 5, $"only {count} templates found in {CardTemplates.DefaultDirectory}");
    }

    [Theory]
    [MemberData(nameof(Cards))]
    public void Template_WithItsSample_RendersWithinSlacksLimits(string name) => AssertRendersValid(name, Sample(name));

    [Theory]
    [MemberData(nameof(Cards))]
    public void Template_WithOversizedData_StillRendersWithinSlacksLimits(string name) => AssertRendersValid(name, Inflate(Sample(name)));

    private void AssertRendersValid(string name, JsonNode? data)
    {
        var card = new CardTemplates().Bind(name, data);

        var message = BlockKit.Message(card, $"{name} fallback").Result;
        var body = new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() };
        Assert.Empty(BlockKitRules.CheckMessage(body));
        Assert.NotEmpty(message.Blocks);

        if (BlockKit.IsForm(card))
        {
            using var db = store.NewContext();
            var renderer = new SlackCardRenderer(new PayloadParking(db, TimeProvider.System));
            // Through the renderer the app uses, which parks metadata Slack cannot carry.
            var view = renderer.ModalAsync(card, new JsonObject { ["channel"] = "C1" }, default).GetAwaiter().GetResult();
            Assert.Empty(BlockKitRules.CheckView(view));
            Assert.Contains(view["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "input");
            var metadata = renderer.ReadMetadataAsync(view["private_metadata"]!.GetValue<string>(), default).GetAwaiter().GetResult();
            Assert.Equal("C1", metadata["ctx"]!["channel"]!.GetValue<string>());
        }
    }

    private static JsonNode? Sample(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(CardTemplates.DefaultDirectory, "samples", name + ".data.json")));

    /// <summary>Lists × 40 and prose × 60, leaving dates, numbers and ids alone so the template still binds.</summary>
    private static JsonNode? Inflate(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Inflate(kv.Value)))),
        JsonArray a => new JsonArray(Enumerable.Range(0, 40).SelectMany(_ => a.Select(Inflate)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) && s.Contains(' ') && !DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _)
            => JsonValue.Create(string.Concat(Enumerable.Repeat(s + " <&> ", 60))),
        _ => node?.DeepClone(),
    };
}

using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Conversations.Cards;
using CrmBot.Fakes.Slack;

namespace CrmBot.Tests.Channels.Slack;

/// <summary>
/// How our real cards read once translated to Block Kit: no stray dividers, survey bars that line
/// up, an honest count of what was cut, and modals whose title says what they are.
/// </summary>
public class BlockKitReadingTests
{
    private static JsonNode? Sample(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(CardTemplates.DefaultDirectory, "samples", name + ".data.json")));

    private static JsonObject Bound(string name) => new CardTemplates().Bind(name, Sample(name));

    private static string? Type(JsonNode? n) => n?["type"]?.GetValue<string>();

    private static string Text(JsonNode? block) => block?["text"]?["text"]?.GetValue<string>() ?? "";

    [Fact]
    public void SurveyForm_AsAMessage_HasNoDividersLeftOverFromItsHiddenInputs()
    {
        var blocks = BlockKit.Message(Bound(CardNames.SurveyForm)).Result.Blocks;

        Assert.DoesNotContain(blocks, b => Type(b) == "divider");
        Assert.Equal(["header", "context", "actions"], blocks.Select(b => Type(b)!).ToArray());
    }

    [Fact]
    public void Separators_NeverComeTwiceInARow_NorLeadOrTrail()
    {
        var card = JsonNode.Parse("""
            { "type": "AdaptiveCard", "body": [
              { "type": "Container", "separator": true, "items": [ { "type": "TextBlock", "text": "first" } ] },
              { "type": "Input.Text", "id": "a", "label": "A", "separator": true },
              { "type": "Container", "separator": true, "items": [ { "type": "TextBlock", "text": "" } ] },
              { "type": "TextBlock", "text": "second", "separator": true },
              { "type": "Input.Text", "id": "b", "label": "B", "separator": true }
            ] }
            """)!.AsObject();

        var blocks = BlockKit.Message(card).Result.Blocks;

        Assert.Equal(["section", "divider", "section", "actions"], blocks.Select(b => Type(b)!).ToArray());
    }

    [Fact]
    public void SurveyResults_BarsStayInOneMonospaceBlock_SoTheyLineUp()
    {
        var blocks = BlockKit.Message(Bound(CardNames.SurveyResults)).Result.Blocks;

        var bars = Assert.Single(blocks, b => Text(b).Contains('█'));
        Assert.Equal(
            "```Yes     █████████████░░░░░░░   7   64%\nPartly  ███████░░░░░░░░░░░░░   4   36%```",
            Text(bars));
    }

    [Fact]
    public void MonospaceText_IsEscapedButNotReadAsMarkdown()
    {
        var card = JsonNode.Parse("""
            { "type": "AdaptiveCard", "body": [ { "type": "TextBlock", "text": "a **b** <c> & d", "fontType": "Monospace" } ] }
            """)!.AsObject();

        Assert.Equal("```a **b** &lt;c&gt; &amp; d```", Text(BlockKit.Message(card).Result.Blocks[0]));
    }

    [Fact]
    public void ACutMessage_CountsTheItemsLeftOut_NotTheirBlocks_AndKeepsTheCardsButtons()
    {
        // Each item is a divider, a section and an actions block, as a list row is.
        var items = Enumerable.Range(1, 30).Select(i => (JsonNode)new JsonObject
        {
            ["type"] = "Container",
            ["separator"] = true,
            ["items"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["text"] = $"Item {i}" },
                new JsonObject
                {
                    ["type"] = "ActionSet",
                    ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.Submit", ["title"] = "Done", ["data"] = new JsonObject { ["verb"] = "done", ["id"] = i } }),
                }),
        }).ToArray();
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray(items),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.Submit", ["title"] = "Show more", ["data"] = new JsonObject { ["verb"] = "more" } }),
        };

        var m = BlockKit.Message(card).Result;

        Assert.Empty(BlockKitRules.CheckMessage(new JsonObject { ["text"] = m.Text, ["blocks"] = m.Blocks.DeepClone() }));
        var shown = m.Blocks.Count(b => Type(b) == "section");
        Assert.Contains("Item " + shown, Text(m.Blocks.Last(b => Type(b) == "section")));
        var notice = m.Blocks[^2]!["elements"]![0]!["text"]!.GetValue<string>();
        Assert.Equal($"_…{30 - shown} more not shown_", notice);
        // No item is shown without its buttons, and the card's own button survives the cut.
        Assert.Equal(shown, m.Blocks.Count(b => Type(b) == "actions" && b!.ToJsonString().Contains("\"done\"")));
        Assert.Contains("Show more", m.Blocks[^1]!.ToJsonString());
    }

    [Fact]
    public void ShowCardModal_IsTitledByItsButton()
    {
        var message = BlockKit.Message(Bound(CardNames.ActivityLogged));
        var parked = message.Parked.Select(p => JsonNode.Parse(p.Json)!.AsObject()).Single(c => c.ToJsonString().Contains("followup.add"));

        var view = BlockKit.Modal(parked).Result.View;

        Assert.Equal("Add follow-up", view["title"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void AModalWithNoTextAtAll_IsTitledByItsSubmitButton()
    {
        var card = JsonNode.Parse("""
            { "type": "AdaptiveCard", "body": [ { "type": "Input.Text", "id": "x", "label": "X" } ],
              "actions": [ { "type": "Action.Submit", "title": "Save note", "data": { "verb": "x" } } ] }
            """)!.AsObject();

        Assert.Equal("Save note", BlockKit.Modal(card).Result.View["title"]!["text"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(CardTemplatesBlockKitTests.Cards), MemberType = typeof(CardTemplatesBlockKitTests))]
    public void EveryModalACardCanOpen_HasAMeaningfulTitle(string name)
    {
        var card = Bound(name);
        var message = BlockKit.Message(card);
        // The modals this card can open: itself when it is a form, and every card parked behind a button.
        var modals = message.Parked.Select(p => JsonNode.Parse(p.Json) as JsonObject).OfType<JsonObject>().Where(c => c["body"] is JsonArray).ToList();
        if (BlockKit.IsForm(card)) modals.Add(card);

        foreach (var modal in modals)
        {
            var title = BlockKit.Modal(modal).Result.View["title"]!["text"]!.GetValue<string>();
            Assert.NotEqual("CrmBot", title);
            Assert.False(string.IsNullOrWhiteSpace(title));
        }
    }
}

using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Fakes.Slack;

namespace CrmBot.Tests.Channels.Slack;

public class BlockKitTests
{
    private static JsonObject Card(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Body(SlackMessage m) => new() { ["text"] = m.Text, ["blocks"] = m.Blocks.DeepClone() };

    private static JsonArray Blocks(SlackMessage m) => m.Blocks;

    private static string? Type(JsonNode? n) => n?["type"]?.GetValue<string>();

    [Fact]
    public void TextBlocks_HeadingBecomesHeader_OthersSections_MarkdownToMrkdwn_UserTextEscaped()
    {
        var m = BlockKit.Message(Card("""
            { "type": "AdaptiveCard", "version": "1.5", "body": [
              { "type": "TextBlock", "text": "Today's follow-ups", "weight": "Bolder", "size": "Large" },
              { "type": "TextBlock", "text": "**Call** Ben & Jerry <ceo> about [the deal](https://crm.example.com/d/1)" },
              { "type": "TextBlock", "text": "updated just now", "isSubtle": true }
            ] }
            """)).Result;

        Assert.Equal(["header", "section", "context"], Blocks(m).Select(b => Type(b)!).ToArray());
        Assert.Equal("Today's follow-ups", Blocks(m)[0]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal("*Call* Ben &amp; Jerry &lt;ceo&gt; about <https://crm.example.com/d/1|the deal>",
            Blocks(m)[1]!["text"]!["text"]!.GetValue<string>());
        Assert.Empty(BlockKitRules.CheckMessage(Body(m)));
        Assert.Contains("Ben &amp; Jerry", m.Text);
    }

    [Fact]
    public void FactSet_BecomesFields_TenPerSection()
    {
        var facts = new JsonArray(Enumerable.Range(1, 23).Select(i => (JsonNode)new JsonObject { ["title"] = $"T{i}", ["value"] = $"v{i} <x>" }).ToArray());
        var card = new JsonObject { ["type"] = "AdaptiveCard", ["body"] = new JsonArray(new JsonObject { ["type"] = "FactSet", ["facts"] = facts }) };

        var m = BlockKit.Message(card).Result;

        Assert.Equal([10, 10, 3], Blocks(m).Select(b => b!["fields"]!.AsArray().Count).ToArray());
        Assert.Equal("*T1*\nv1 &lt;x&gt;", Blocks(m)[0]!["fields"]![0]!["text"]!.GetValue<string>());
        Assert.Empty(BlockKitRules.CheckMessage(Body(m)));
    }

    [Fact]
    public void ListRow_IsOneSection_ItsSingleButtonTheAccessory_CarryingTheSubmitData()
    {
        var m = BlockKit.Message(Card("""
            { "type": "AdaptiveCard", "body": [
              { "type": "ColumnSet", "columns": [
                { "type": "Column", "items": [ { "type": "TextBlock", "text": "Call Jane", "weight": "Bolder" } ] },
                { "type": "Column", "items": [ { "type": "TextBlock", "text": "due Dec 3" } ] },
                { "type": "Column", "items": [ { "type": "ActionSet", "actions": [
                  { "type": "Action.Submit", "title": "Done", "style": "positive", "data": { "verb": "followup.done", "followUpId": 42 } } ] } ] }
              ] } ],
              "actions": [ { "type": "Action.OpenUrl", "title": "Open CRM", "url": "https://crm.example.com" },
                           { "type": "Action.Execute", "title": "Refresh", "verb": "followups.refresh", "data": { "page": 2 } } ] }
            """)).Result;

        var row = Blocks(m)[0]!;
        Assert.Equal("section", Type(row));
        Assert.Equal("*Call Jane*  ·  due Dec 3", row["text"]!["text"]!.GetValue<string>());
        Assert.Equal("followup.done", row["accessory"]!["action_id"]!.GetValue<string>());
        Assert.Equal("primary", row["accessory"]!["style"]!.GetValue<string>());
        var data = JsonNode.Parse(row["accessory"]!["value"]!.GetValue<string>())!;
        Assert.Equal(42, data["followUpId"]!.GetValue<int>());

        var actions = Blocks(m)[1]!["elements"]!.AsArray();
        Assert.Equal("https://crm.example.com", actions[0]!["url"]!.GetValue<string>());
        Assert.Equal(BlockKit.OpenUrlAction, actions[0]!["action_id"]!.GetValue<string>());
        Assert.Equal("""{"page":2,"verb":"followups.refresh"}""", actions[1]!["value"]!.GetValue<string>());
        Assert.Empty(BlockKitRules.CheckMessage(Body(m)));
    }

    [Fact]
    public void HugeCard_StaysWithinFiftyBlocksAndTheSizeBudget_SayingWhatWasLeftOut()
    {
        var body = new JsonArray(Enumerable.Range(1, 300).Select(i => (JsonNode)new JsonObject
        {
            ["type"] = "TextBlock", ["text"] = $"Item {i} " + new string('x', 100), ["separator"] = i % 2 == 0,
        }).ToArray());

        var m = BlockKit.Message(new JsonObject { ["type"] = "AdaptiveCard", ["body"] = body }).Result;

        Assert.Empty(BlockKitRules.CheckMessage(Body(m)));
        Assert.Contains("more not shown", Blocks(m)[^1]!.ToJsonString());
        Assert.True(m.Text.Length <= BlockKitLimits.FallbackText);
    }

    [Fact]
    public void OverlongTexts_AreCutWithAnEllipsis_NeverInsideAnEscape()
    {
        var longText = string.Concat(Enumerable.Repeat("a&b ", 2000));
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["text"] = longText, ["size"] = "Large", ["weight"] = "Bolder" },
                new JsonObject { ["type"] = "TextBlock", ["text"] = longText },
                new JsonObject { ["type"] = "FactSet", ["facts"] = new JsonArray(new JsonObject { ["title"] = longText, ["value"] = longText } ) }),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.Submit", ["title"] = longText, ["data"] = new JsonObject { ["verb"] = "x" } }),
        };

        var m = BlockKit.Message(card).Result;

        Assert.Empty(BlockKitRules.CheckMessage(Body(m)));
        var section = Blocks(m)[1]!["text"]!["text"]!.GetValue<string>();
        Assert.EndsWith("…", section);
        Assert.DoesNotMatch("&[a-z]{0,3}…$", section);
        var header = Blocks(m)[0]!["text"]!["text"]!.GetValue<string>();
        Assert.InRange(header.Length, 140, 150);
        Assert.EndsWith("…", header);
    }

    [Fact]
    public void ShowCard_IsAButtonThatOpensTheChildCard_TheChildParked()
    {
        var rendered = BlockKit.Message(Card("""
            { "type": "AdaptiveCard", "body": [ { "type": "TextBlock", "text": "Deal" } ],
              "actions": [ { "type": "Action.ShowCard", "title": "Move stage", "card": { "type": "AdaptiveCard", "body": [ { "type": "TextBlock", "text": "Pick a stage" } ] } } ] }
            """));

        var button = rendered.Result.Blocks[^1]!["elements"]![0]!;
        Assert.Equal(BlockKit.OpenCardAction, button["action_id"]!.GetValue<string>());
        var parked = Assert.Single(rendered.Parked);
        Assert.Equal(parked.Id, JsonNode.Parse(button["value"]!.GetValue<string>())!["parked"]!.GetValue<string>());
        Assert.Contains("Pick a stage", parked.Json);
    }

    [Fact]
    public void FormCard_AsAMessage_HasNoInputs_ButAnOpenFormButton()
    {
        var rendered = BlockKit.Message(LogForm);

        Assert.DoesNotContain(rendered.Result.Blocks, b => Type(b) == "input");
        Assert.Equal(BlockKit.OpenCardAction, rendered.Result.Blocks[^1]!["elements"]![0]!["action_id"]!.GetValue<string>());
        Assert.Single(rendered.Parked);
        Assert.Empty(BlockKitRules.CheckMessage(Body(rendered.Result)));
    }

    private static readonly JsonObject LogForm = JsonNode.Parse("""
        { "type": "AdaptiveCard", "version": "1.5", "body": [
          { "type": "TextBlock", "text": "Log an activity with a very long title", "style": "heading" },
          { "type": "Input.Text", "id": "contact", "label": "Contact", "isRequired": true, "placeholder": "Jane Doe" },
          { "type": "Input.Text", "id": "notes", "label": "Notes", "isMultiline": true, "maxLength": 500, "value": "prefilled" },
          { "type": "Input.Date", "id": "due", "label": "Follow up on", "value": "2026-12-03" },
          { "type": "Input.Time", "id": "at", "label": "At", "value": "09:30" },
          { "type": "Input.Number", "id": "amount", "label": "Amount", "value": "1200.50" },
          { "type": "Input.ChoiceSet", "id": "type", "label": "Type", "style": "expanded", "value": "meeting",
            "choices": [ { "title": "Call", "value": "call" }, { "title": "Meeting", "value": "meeting" } ] },
          { "type": "Input.ChoiceSet", "id": "tags", "label": "Tags", "isMultiSelect": true, "value": "a,c",
            "choices": [ { "title": "A", "value": "a" }, { "title": "B", "value": "b" }, { "title": "C", "value": "c" } ] },
          { "type": "Input.ChoiceSet", "id": "deal", "label": "Deal",
            "choices": [ { "title": "Long", "value": "LONGVALUE" }, { "title": "Short", "value": "s" } ] },
          { "type": "Input.Toggle", "id": "private", "title": "Keep private", "valueOn": "yes", "valueOff": "no" }
        ],
        "actions": [ { "type": "Action.Submit", "title": "Log it", "data": { "verb": "log.submit", "msteams": { "type": "messageBack" } } },
                     { "type": "Action.Submit", "title": "Save draft", "data": { "verb": "log.draft" } } ] }
        """.Replace("LONGVALUE", new string('v', 200)))!.AsObject();

    [Fact]
    public void FormCard_AsAModal_InputsMapToTheirSlackElements()
    {
        var modal = BlockKit.Modal(LogForm).Result;
        var view = modal.View;
        view["private_metadata"] = modal.Metadata.ToJsonString();

        Assert.Empty(BlockKitRules.CheckView(view));
        Assert.Equal("Log an activity with a …", view["title"]!["text"]!.GetValue<string>());
        Assert.Equal("Log it", view["submit"]!["text"]!.GetValue<string>());
        var inputs = view["blocks"]!.AsArray().Where(b => Type(b) == "input").ToDictionary(b => b!["block_id"]!.GetValue<string>(), b => b!);
        Assert.Equal("plain_text_input", Type(inputs["contact"]["element"]));
        Assert.False(inputs["contact"]["optional"]!.GetValue<bool>());
        Assert.True(inputs["notes"]["element"]!["multiline"]!.GetValue<bool>());
        Assert.Equal(500, inputs["notes"]["element"]!["max_length"]!.GetValue<int>());
        Assert.Equal("2026-12-03", inputs["due"]["element"]!["initial_date"]!.GetValue<string>());
        Assert.Equal("timepicker", Type(inputs["at"]["element"]));
        Assert.Equal("number_input", Type(inputs["amount"]["element"]));
        Assert.Equal("radio_buttons", Type(inputs["type"]["element"]));
        Assert.Equal("meeting", inputs["type"]["element"]!["initial_option"]!["value"]!.GetValue<string>());
        Assert.Equal("checkboxes", Type(inputs["tags"]["element"]));
        Assert.Equal(2, inputs["tags"]["element"]!["initial_options"]!.AsArray().Count);
        Assert.Equal("static_select", Type(inputs["deal"]["element"]));
        Assert.Equal("checkboxes", Type(inputs["private"]["element"]));
        // The other submit action stays a button inside the modal; Teams-only hints are dropped.
        Assert.Contains(view["blocks"]!.AsArray(), b => Type(b) == "actions" && b!.ToJsonString().Contains("log.draft"));
        Assert.Null(modal.Metadata["submit"]!["msteams"]);
        Assert.Equal("log.submit", modal.Metadata["submit"]!["verb"]!.GetValue<string>());
    }

    [Fact]
    public void ModalState_ReadsBackAsTheCardsInputValues()
    {
        var modal = BlockKit.Modal(LogForm).Result;
        var state = JsonNode.Parse("""
            {
              "contact": { "contact": { "type": "plain_text_input", "value": "Jane" } },
              "notes": { "notes": { "type": "plain_text_input", "value": null } },
              "due": { "due": { "type": "datepicker", "selected_date": "2026-12-04" } },
              "at": { "at": { "type": "timepicker", "selected_time": "10:15" } },
              "amount": { "amount": { "type": "number_input", "value": "99" } },
              "type": { "type": { "type": "radio_buttons", "selected_option": { "value": "call" } } },
              "tags": { "tags": { "type": "checkboxes", "selected_options": [ { "value": "a" }, { "value": "b" } ] } },
              "deal": { "deal": { "type": "static_select", "selected_option": { "value": "#0" } } },
              "private": { "private": { "type": "checkboxes", "selected_options": [] } }
            }
            """)!.AsObject();

        var inputs = BlockKit.ReadInputs(state, modal.Metadata);

        Assert.Equal("Jane", inputs["contact"]!.GetValue<string>());
        Assert.False(inputs.ContainsKey("notes"));
        Assert.Equal("2026-12-04", inputs["due"]!.GetValue<string>());
        Assert.Equal("10:15", inputs["at"]!.GetValue<string>());
        Assert.Equal("99", inputs["amount"]!.GetValue<string>());
        Assert.Equal("call", inputs["type"]!.GetValue<string>());
        Assert.Equal("a,b", inputs["tags"]!.GetValue<string>());
        Assert.Equal(new string('v', 200), inputs["deal"]!.GetValue<string>());
        Assert.Equal("no", inputs["private"]!.GetValue<string>());
    }

    [Fact]
    public void LongButtonData_IsParked_TheValueStaysWithinTheLimit()
    {
        var rendered = BlockKit.Message(new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = "x" }),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.Submit", ["title"] = "Go", ["data"] = new JsonObject { ["verb"] = "go", ["blob"] = new string('b', 2500) } }),
        }, newId: () => "fixed-id");

        Assert.Equal("""{"parked":"fixed-id"}""", rendered.Result.Blocks[^1]!["elements"]![0]!["value"]!.GetValue<string>());
        Assert.Contains(new string('b', 2500), Assert.Single(rendered.Parked).Json);
    }

    [Fact]
    public void UnknownElementsAndEmptyCards_StillRender_WithAFallbackText()
    {
        var m = BlockKit.Message(Card("""{ "type": "AdaptiveCard", "body": [ { "type": "Media", "sources": [] }, { "type": "TextBlock", "text": "" } ] }"""), null).Result;

        Assert.Empty(m.Blocks);
        Assert.False(string.IsNullOrWhiteSpace(m.Text));
        Assert.Empty(BlockKitRules.CheckMessage(Body(m)));
    }

    [Fact]
    public void Images_OnlyWebUrlsBecomeImageBlocks()
    {
        var m = BlockKit.Message(Card("""
            { "type": "AdaptiveCard", "body": [
              { "type": "Image", "url": "https://example.com/logo.png", "altText": "Logo" },
              { "type": "Image", "url": "data:image/png;base64,AAAA" } ] }
            """)).Result;

        var image = Assert.Single(m.Blocks);
        Assert.Equal("https://example.com/logo.png", image!["image_url"]!.GetValue<string>());
    }
}

public class SlackTextTests
{
    [Theory]
    [InlineData("<@U0CRMBOT> follow-ups", "U0CRMBOT", "follow-ups")]
    [InlineData("hey <@U0CRMBOT>  log call", "U0CRMBOT", "hey log call")]
    [InlineData("<@U0CRMBOT> follow-ups", null, "follow-ups")]
    [InlineData("ask <@U0OTHER> first", "U0CRMBOT", "ask <@U0OTHER> first")]
    public void StripMention_RemovesOnlyTheBot(string text, string? bot, string expected) =>
        Assert.Equal(expected, SlackText.StripMention(text, bot));

    [Theory]
    [InlineData("see <https://example.com|the site> &amp; <mailto:a@b.com|a@b.com>", "see the site & a@b.com")]
    [InlineData("plain <https://example.com>", "plain https://example.com")]
    [InlineData("1 &lt; 2 &gt; 0", "1 < 2 > 0")]
    public void FromSlack_UndoesSlackMarkup(string text, string expected) => Assert.Equal(expected, SlackText.FromSlack(text));

    [Fact]
    public void Truncate_NeverSplitsASurrogatePair()
    {
        var s = new string('a', 8) + "😀😀";
        var cut = SlackText.Truncate(s, 10);
        Assert.True(cut.Length <= 10);
        Assert.False(char.IsHighSurrogate(cut[^2]));
    }
}

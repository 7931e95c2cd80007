using CrmBot.Tests.Crm.Surveys;
using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Surveys;
using CrmBot.Fakes.Slack;

namespace CrmBot.Tests.Channels.Slack;

/// <summary>The survey cards as Slack shows them: forms as modals whose state reads back as the fields the survey code expects.</summary>
public sealed class SurveyCardsSlackTests
{
    private static JsonObject Sample(string name) =>
        new CardTemplates().Bind(name, JsonNode.Parse(File.ReadAllText(Path.Combine(CardTemplates.DefaultDirectory, "samples", name + ".data.json"))));

    [Theory]
    [InlineData(CardNames.SurveyForm)]
    [InlineData(CardNames.SurveyAnswer)]
    public void Forms_AreValidModals(string name)
    {
        var modal = BlockKit.Modal(Sample(name)).Result;
        modal.View["private_metadata"] = modal.Metadata.ToJsonString();
        Assert.Empty(BlockKitRules.CheckView(modal.View));
    }

    [Theory]
    [InlineData(CardNames.SurveyInvite)]
    [InlineData(CardNames.SurveyThanks)]
    [InlineData(CardNames.SurveyResults)]
    public void Messages_AreValidBlockKit(string name)
    {
        var message = BlockKit.Message(Sample(name), "fallback").Result;
        Assert.Empty(BlockKitRules.CheckMessage(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() }));
    }

    [Fact]
    public void AnswerModal_ReadsBackAsAnswerFields_WithTheSurveyNumber()
    {
        var modal = BlockKit.Modal(Sample(CardNames.SurveyAnswer)).Result;
        var state = JsonNode.Parse("""
            {
              "a1": { "a1": { "type": "radio_buttons", "selected_option": { "value": "4" } } },
              "a2": { "a2": { "type": "radio_buttons", "selected_option": { "value": "1" } } },
              "a3": { "a3": { "type": "checkboxes", "selected_options": [ { "value": "0" }, { "value": "1" } ] } },
              "a4": { "a4": { "type": "plain_text_input", "value": "fewer fields" } }
            }
            """)!.AsObject();

        var inputs = BlockKit.ReadInputs(state, modal.Metadata);

        Assert.Equal(("4", "1", "0,1", "fewer fields"),
            (SurveyCards.Field(inputs, "a1"), SurveyCards.Field(inputs, "a2"), SurveyCards.Field(inputs, "a3"), SurveyCards.Field(inputs, "a4")));
        Assert.Equal(SurveyFeature.AnswerVerb, modal.Metadata["submit"]!["verb"]!.GetValue<string>());
        Assert.Equal("3", SurveyCards.Field(modal.Metadata["submit"]!.AsObject(), "surveyId"));
    }
}

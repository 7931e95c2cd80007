using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;

namespace CrmBot.Conversations.Features;

/// <summary>The questions a write asks before it happens.</summary>
public static class Asking
{
    /// <summary>A yes/no question with a card whose buttons say what each answer does.</summary>
    public static Prompt Confirm(string title, IReadOnlyList<string> lines, string question, string yes, string no)
    {
        var text = title + string.Concat(lines.Select(l => "\n• " + l)) + "\n" + question + " (yes/no)";
        var data = new JsonObject
        {
            ["title"] = title,
            ["lines"] = new JsonArray(lines.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
            ["question"] = question,
            ["yes"] = yes,
            ["no"] = no,
        };
        return new Prompt(PromptKind.Confirm, text, Card: new PromptCard(CardNames.Confirm, data, text));
    }
}

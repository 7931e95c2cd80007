using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;

namespace CrmBot.Conversations.Features;

/// <summary>The questions a write asks before it happens: "did you mean this one?" and "are you sure?".</summary>
public static class Asking
{
    /// <summary>The choice that answers a duplicate check with "create anyway".</summary>
    public const string CreateAnyway = "new";

    /// <summary>
    /// "Did you mean …?" over records that may already be the one to add: each with "Use existing" (its value), and
    /// "Create anyway". Typed answers: the number, "create anyway", or "use existing" when there is one record.
    /// </summary>
    public static Prompt DuplicateCheck(string question, IReadOnlyList<(string Value, string Label, string? Detail)> existing)
    {
        var choices = existing.Select(o => new Choice(o.Value, $"Use existing: {o.Label}" + (o.Detail is null ? "" : $" ({o.Detail})"))).ToList();
        choices.Add(new Choice(CreateAnyway, "Create anyway"));
        var data = new JsonObject
        {
            ["title"] = question,
            ["options"] = new JsonArray(existing.Select(o => (JsonNode)new JsonObject
            {
                ["value"] = o.Value, ["label"] = o.Label, ["detail"] = o.Detail,
            }).ToArray()),
        };
        return Prompt.ForChoice(question, choices, new PromptCard(CardNames.DuplicateCheck, data, question),
            retry: "Pick one by its number, or say \"create anyway\". (Say \"cancel\" to stop.)");
    }

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

using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using Spectre.Console;

namespace CrmBot.Channels.Terminal;

/// <summary>A clickable thing on a rendered card: its number on screen, the action, and the inputs it submits.</summary>
internal sealed record TerminalAction(int Number, string Title, JsonObject Action, IReadOnlyList<JsonObject> Inputs);

/// <summary>
/// A bound Adaptive Card as readable terminal text: text blocks, facts, columns side by side,
/// inputs shown with their current value, and every action numbered so it can be chosen by typing
/// the number. ShowCard actions are flattened: their inner card's actions are numbered too.
/// </summary>
internal sealed class TerminalCardRenderer
{
    private readonly List<string> _lines = [];
    private readonly List<TerminalAction> _actions = [];
    private int _next;

    private TerminalCardRenderer(int firstNumber) => _next = firstNumber;

    public static (IReadOnlyList<string> MarkupLines, IReadOnlyList<TerminalAction> Actions) Render(JsonObject card, int firstNumber)
    {
        var r = new TerminalCardRenderer(firstNumber);
        var inputs = new List<JsonObject>();
        CollectInputs(card["body"], inputs);
        r.Elements(card["body"] as JsonArray, inputs, indent: "");
        r.Actions(card["actions"] as JsonArray, inputs, indent: "");
        return (r._lines, r._actions);
    }

    private void Elements(JsonArray? elements, List<JsonObject> inputs, string indent)
    {
        foreach (var node in elements ?? [])
        {
            if (node is not JsonObject e) continue;
            if (e["separator"]?.GetValue<bool>() == true && _lines.Count > 0) _lines.Add("");
            switch (Str(e, "type"))
            {
                case "TextBlock":
                    _lines.Add(indent + Style(e, Markup.Escape(Str(e, "text") ?? "")));
                    break;
                case "FactSet":
                    foreach (var fact in (e["facts"] as JsonArray ?? []).OfType<JsonObject>())
                        _lines.Add($"{indent}[bold]{Markup.Escape(Str(fact, "title") ?? "")}:[/] {Markup.Escape(Str(fact, "value") ?? "")}");
                    break;
                case "ColumnSet":
                    var cells = (e["columns"] as JsonArray ?? []).OfType<JsonObject>()
                        .Select(c => string.Join(" ", (c["items"] as JsonArray ?? []).OfType<JsonObject>().Select(Inline)))
                        .Where(s => s.Length > 0);
                    _lines.Add(indent + string.Join("  ", cells));
                    break;
                case "Container":
                    Elements(e["items"] as JsonArray, inputs, indent);
                    break;
                case "Image":
                    _lines.Add($"{indent}[grey][[image: {Markup.Escape(Str(e, "altText") ?? Str(e, "url") ?? "")}]][/]");
                    break;
                case "ActionSet":
                    Actions(e["actions"] as JsonArray, inputs, indent);
                    break;
                case { } type when type.StartsWith("Input.", StringComparison.Ordinal):
                    var label = Str(e, "label") ?? Str(e, "placeholder") ?? Str(e, "id") ?? "";
                    var value = InputValueText(e);
                    _lines.Add($"{indent}[grey]✎ {Markup.Escape(label)}{(value is null ? "" : ": " + Markup.Escape(value))}[/]");
                    break;
                // A chart (Chart.*) or any element a terminal cannot draw: its fallback, the numbers as text bars.
                case not null when e["fallback"] is JsonObject fallback:
                    Elements(new JsonArray(fallback.DeepClone()), inputs, indent);
                    break;
            }
        }
    }

    private void Actions(JsonArray? actions, List<JsonObject> inputs, string indent)
    {
        var shown = new List<string>();
        foreach (var node in actions ?? [])
        {
            if (node is not JsonObject a) continue;
            var title = Str(a, "title") ?? "(untitled)";
            if (Str(a, "type") == "Action.ShowCard" && a["card"] is JsonObject inner)
            {
                // No card to reveal in a terminal: the inner card's inputs and actions are offered directly.
                var innerInputs = new List<JsonObject>();
                CollectInputs(inner["body"], innerInputs);
                foreach (var sub in (inner["actions"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var number = _next++;
                    _actions.Add(new TerminalAction(number, $"{title}: {Str(sub, "title")}", sub, innerInputs));
                    shown.Add($"[[{number}]] {Markup.Escape(title)}");
                }
                continue;
            }
            var n = _next++;
            _actions.Add(new TerminalAction(n, title, a, CardActions.TakesNoInputs(a) ? [] : inputs));
            shown.Add($"[[{n}]] {Markup.Escape(title)}");
        }
        if (shown.Count > 0) _lines.Add(indent + "[cyan]" + string.Join("  ", shown) + "[/]");
    }

    private static string Inline(JsonObject e) => Str(e, "type") switch
    {
        "TextBlock" => Style(e, Markup.Escape(Str(e, "text") ?? "")),
        "Image" => "[grey][[image]][/]",
        _ => "",
    };

    private static string Style(JsonObject e, string text)
    {
        if (text.Length == 0) return text;
        if (Str(e, "color") == "Attention") text = $"[red]{text}[/]";
        else if (Str(e, "color") == "Good") text = $"[green]{text}[/]";
        else if (e["isSubtle"]?.GetValue<bool>() == true) text = $"[grey]{text}[/]";
        if (Str(e, "weight") == "Bolder") text = $"[bold]{text}[/]";
        return text;
    }

    private static void CollectInputs(JsonNode? node, List<JsonObject> inputs)
    {
        switch (node)
        {
            case JsonObject o when Str(o, "type") is { } t && t.StartsWith("Input.", StringComparison.Ordinal):
                inputs.Add(o);
                break;
            case JsonObject o when Str(o, "type") is "Action.ShowCard":
                break;   // its inputs belong to its own actions
            case JsonObject o:
                foreach (var (_, child) in o) CollectInputs(child, inputs);
                break;
            case JsonArray a:
                foreach (var child in a) CollectInputs(child, inputs);
                break;
        }
    }

    private static string? InputValueText(JsonObject input)
    {
        var value = Str(input, "value");
        if (string.IsNullOrEmpty(value)) return null;
        if (Str(input, "type") == "Input.ChoiceSet")
            return (input["choices"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => Str(c, "value") == value) is { } c ? Str(c, "title") : value;
        return value;
    }

    internal static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

using System.Text.Json.Nodes;

namespace CrmBot.Fakes.Slack;

/// <summary>
/// Slack's Block Kit limits as Slack enforces them (it answers invalid_blocks): the fake applies them
/// to every message and view it receives, and tests use them directly. Returns what is wrong; empty = valid.
/// </summary>
public static class BlockKitRules
{
    public const int MessageBlocks = 50;
    public const int ModalBlocks = 100;

    public static List<string> CheckMessage(JsonObject body)
    {
        var problems = new List<string>();
        var text = body["text"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(text)) problems.Add("no text fallback");
        if (body["blocks"] is JsonArray blocks)
        {
            CheckBlocks(blocks, MessageBlocks, problems, inModal: false);
            if (blocks.ToJsonString().Length > 13_000) problems.Add("blocks larger than 13000 characters");
        }
        else if (body["blocks"] is not null) problems.Add("blocks is not an array");
        return problems;
    }

    public static List<string> CheckView(JsonObject view)
    {
        var problems = new List<string>();
        if (Str(view["type"]) != "modal") problems.Add("view type is not modal");
        Plain(view["title"], 24, "title", problems, required: true);
        Plain(view["submit"], 24, "submit", problems, required: false);
        Plain(view["close"], 24, "close", problems, required: false);
        Max(Str(view["private_metadata"]), 3000, "private_metadata", problems);
        Max(Str(view["callback_id"]), 255, "callback_id", problems);
        if (view["blocks"] is not JsonArray blocks) { problems.Add("view without blocks"); return problems; }
        CheckBlocks(blocks, ModalBlocks, problems, inModal: true);
        if (view["submit"] is null && blocks.OfType<JsonObject>().Any(b => Str(b["type"]) == "input"))
            problems.Add("modal with inputs but no submit");
        return problems;
    }

    public static void CheckBlocks(JsonArray blocks, int maxBlocks, List<string> problems, bool inModal)
    {
        if (blocks.Count > maxBlocks) problems.Add($"{blocks.Count} blocks (max {maxBlocks})");
        var blockIds = new HashSet<string>();
        for (var i = 0; i < blocks.Count; i++)
        {
            var at = $"blocks[{i}]";
            if (blocks[i] is not JsonObject b) { problems.Add($"{at} is not an object"); continue; }
            if (Str(b["block_id"]) is { } id)
            {
                Max(id, 255, at + ".block_id", problems);
                if (!blockIds.Add(id)) problems.Add($"{at}.block_id {id} repeated");
            }
            switch (Str(b["type"]))
            {
                case "section":
                    if (b["text"] is null && b["fields"] is null) problems.Add($"{at} section without text or fields");
                    if (b["text"] is not null) Text(b["text"], 3000, at + ".text", problems);
                    if (b["fields"] is JsonArray fields)
                    {
                        if (fields.Count > 10) problems.Add($"{at} has {fields.Count} fields (max 10)");
                        for (var f = 0; f < fields.Count; f++) Text(fields[f], 2000, $"{at}.fields[{f}]", problems);
                    }
                    if (b["accessory"] is JsonObject acc) Element(acc, at + ".accessory", problems);
                    break;
                case "header":
                    Plain(b["text"], 150, at + ".text", problems, required: true);
                    break;
                case "divider":
                    break;
                case "context":
                    var elements = b["elements"] as JsonArray;
                    if (elements is null || elements.Count is 0 or > 10) problems.Add($"{at} context needs 1-10 elements");
                    foreach (var e in elements ?? []) if (Str(e?["type"]) != "image") Text(e, 3000, at + ".elements", problems);
                    break;
                case "image":
                    Max(Str(b["image_url"]), 3000, at + ".image_url", problems);
                    if (string.IsNullOrEmpty(Str(b["alt_text"]))) problems.Add($"{at} image without alt_text");
                    Max(Str(b["alt_text"]), 2000, at + ".alt_text", problems);
                    break;
                case "actions":
                    var actions = b["elements"] as JsonArray;
                    if (actions is null || actions.Count is 0 or > 25) problems.Add($"{at} actions needs 1-25 elements");
                    var actionIds = new HashSet<string>();
                    for (var e = 0; e < (actions?.Count ?? 0); e++)
                    {
                        if (actions![e] is not JsonObject el) continue;
                        Element(el, $"{at}.elements[{e}]", problems);
                        if (Str(el["action_id"]) is { } aid && !actionIds.Add(aid)) problems.Add($"{at} action_id {aid} repeated");
                    }
                    break;
                case "input":
                    if (!inModal) problems.Add($"{at} input block outside a modal");
                    Plain(b["label"], 2000, at + ".label", problems, required: true);
                    if (b["element"] is JsonObject input) Element(input, at + ".element", problems);
                    else problems.Add($"{at} input without element");
                    break;
                case "rich_text":
                    break;
                default:
                    problems.Add($"{at} unknown block type {Str(b["type"])}");
                    break;
            }
        }
    }

    private static void Element(JsonObject e, string at, List<string> problems)
    {
        Max(Str(e["action_id"]), 255, at + ".action_id", problems);
        switch (Str(e["type"]))
        {
            case "button":
                Plain(e["text"], 75, at + ".text", problems, required: true);
                Max(Str(e["value"]), 2000, at + ".value", problems);
                Max(Str(e["url"]), 3000, at + ".url", problems);
                if (Str(e["style"]) is { } style && style is not ("primary" or "danger")) problems.Add($"{at} bad style {style}");
                break;
            case "plain_text_input":
                if (e["max_length"] is JsonValue ml && ml.GetValue<int>() > 3000) problems.Add($"{at} max_length over 3000");
                Max(Str(e["initial_value"]), 3000, at + ".initial_value", problems);
                break;
            case "static_select" or "multi_static_select":
                Options(e, 100, at, problems);
                break;
            case "radio_buttons" or "checkboxes":
                Options(e, 10, at, problems);
                break;
            case "datepicker":
                if (Str(e["initial_date"]) is { } d && !DateOnly.TryParseExact(d, "yyyy-MM-dd", out _)) problems.Add($"{at} bad initial_date");
                break;
            case "timepicker" or "number_input" or "image" or "overflow":
                break;
            default:
                problems.Add($"{at} unknown element type {Str(e["type"])}");
                break;
        }
        if (e["placeholder"] is not null) Plain(e["placeholder"], 150, at + ".placeholder", problems, required: true);
    }

    private static void Options(JsonObject e, int max, string at, List<string> problems)
    {
        var options = e["options"] as JsonArray;
        if (options is null || options.Count == 0 || options.Count > max) problems.Add($"{at} needs 1-{max} options");
        foreach (var o in options ?? [])
        {
            Text(o?["text"], 75, at + ".option.text", problems);
            Max(Str(o?["value"]), 150, at + ".option.value", problems);
        }
    }

    private static void Text(JsonNode? t, int max, string at, List<string> problems)
    {
        var type = Str(t?["type"]);
        if (type is not ("mrkdwn" or "plain_text")) { problems.Add($"{at} is not a text object"); return; }
        var text = Str(t?["text"]);
        if (string.IsNullOrEmpty(text)) problems.Add($"{at} empty text");
        Max(text, max, at, problems);
    }

    private static void Plain(JsonNode? t, int max, string at, List<string> problems, bool required)
    {
        if (t is null) { if (required) problems.Add($"{at} missing"); return; }
        if (Str(t["type"]) != "plain_text") problems.Add($"{at} must be plain_text");
        Text(t, max, at, problems);
    }

    private static void Max(string? s, int max, string at, List<string> problems)
    {
        if (s is not null && s.Length > max) problems.Add($"{at} is {s.Length} characters (max {max})");
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

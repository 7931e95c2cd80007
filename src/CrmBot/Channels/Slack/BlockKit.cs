using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Surveys;

namespace CrmBot.Channels.Slack;

/// <summary>Slack's published Block Kit limits that the renderer keeps to.</summary>
public static class BlockKitLimits
{
    public const int MessageBlocks = 50;
    public const int ModalBlocks = 100;
    /// <summary>Slack rejects messages whose blocks are much larger than this, whatever the per-field limits say.</summary>
    public const int MessageBlockChars = 12_000;
    public const int SectionText = 3000;
    public const int SectionFields = 10;
    public const int FieldText = 2000;
    public const int HeaderText = 150;
    public const int ContextElements = 10;
    public const int ButtonText = 75;
    public const int ButtonValue = 2000;
    public const int ActionsElements = 25;
    public const int Id = 255;
    public const int OptionText = 75;
    public const int OptionValue = 150;
    public const int SelectOptions = 100;
    public const int RadioOptions = 10;
    public const int InputLabel = 2000;
    public const int InputValue = 3000;
    public const int Placeholder = 150;
    public const int ModalTitle = 24;
    public const int PrivateMetadata = 3000;
    public const int AltText = 2000;
    public const int Url = 3000;
    public const int FallbackText = 3000;
}

/// <summary>A message for chat.postMessage / chat.update / response_url: blocks plus the text fallback Slack asks for.</summary>
public sealed record SlackMessage(string Text, JsonArray Blocks);

/// <summary>
/// A modal (views.open) and what its submission needs back: the submit action's data and how to read
/// toggles and long choice values. The caller adds its context and stores it as private_metadata.
/// </summary>
public sealed record SlackModal(JsonObject View, JsonObject Metadata);

/// <summary>Data that did not fit a button value: the button carries {"parked": Id} and the store keeps Json.</summary>
public sealed record ParkedValue(string Id, string Json);

/// <summary>
/// Bound Adaptive Card JSON → Block Kit, the mapping in shared/protocols.md. Pure and synchronous:
/// values too long for Slack are returned in <see cref="Rendered.Parked"/> for the caller to store
/// (<see cref="SlackCardRenderer"/> does both). Never throws on a card it does not understand: unknown
/// elements are skipped and every text is cut to Slack's limit.
/// </summary>
public static class BlockKit
{
    /// <summary>action_id of a button that opens a card (form or ShowCard) as a modal; its value is a parked id.</summary>
    public const string OpenCardAction = "crm.open_card";
    /// <summary>action_id of link buttons: Slack reports their clicks too, and we ignore them.</summary>
    public const string OpenUrlAction = "crm.open_url";
    /// <summary>callback_id of the modals we open.</summary>
    public const string FormCallbackId = "crm_form";
    /// <summary>callback_id of a modal whose submission is a survey answer: never parked for recovery, answered at once.</summary>
    public const string AnswerFormCallbackId = "crm_answer";

    public sealed record Rendered<T>(T Result, IReadOnlyList<ParkedValue> Parked);

    /// <summary>Set on a parked ShowCard child: the opening button's title, for the modal's title.</summary>
    private const string ModalTitleHint = "crmModalTitle";

    private static readonly string[] InputTypes =
        ["Input.Text", "Input.Date", "Input.Time", "Input.Number", "Input.ChoiceSet", "Input.Toggle"];

    /// <summary>True when the card holds an input anywhere: such a card is a form, a modal on Slack.</summary>
    public static bool IsForm(JsonObject card) => Walk(card["body"]).Any(e => InputTypes.Contains(Type(e)));

    /// <summary>A message. A form's inputs cannot live in a message: they are replaced by a button opening the form.</summary>
    public static Rendered<SlackMessage> Message(JsonObject card, string? fallbackText = null, Func<string>? newId = null)
    {
        var ctx = new Context(newId ?? NewId, modal: false);
        ctx.RenderBody(card["body"] as JsonArray);
        if (IsForm(card))
            ctx.AddActions([ctx.OpenCardButton("Open form", card, null),
                .. ctx.Buttons(new JsonArray((card["actions"] as JsonArray)?.OfType<JsonObject>().Where(CardActions.TakesNoInputs)
                    .Select(a => (JsonNode)a.DeepClone()).ToArray() ?? []))]);
        else
            ctx.AddActions(ctx.Buttons(card["actions"] as JsonArray));

        var blocks = ctx.Fit(BlockKitLimits.MessageBlocks, BlockKitLimits.MessageBlockChars);
        var text = SlackText.Truncate(
            string.IsNullOrWhiteSpace(fallbackText) ? ctx.PlainText() : SlackText.ToMrkdwn(fallbackText),
            BlockKitLimits.FallbackText);
        if (string.IsNullOrWhiteSpace(text)) text = "CrmBot";
        return new(new SlackMessage(text, blocks), ctx.Parked);
    }

    /// <summary>A modal: inputs become input blocks; the card's first Submit/Execute is the modal's submit button.</summary>
    public static Rendered<SlackModal> Modal(JsonObject card, Func<string>? newId = null)
    {
        var ctx = new Context(newId ?? NewId, modal: true);
        ctx.RenderBody(card["body"] as JsonArray);

        var actions = (card["actions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var submit = actions.FirstOrDefault(a => Type(a) is "Action.Submit" or "Action.Execute");
        ctx.AddActions(ctx.Buttons(new JsonArray(actions.Where(a => a != submit).Select(a => a.DeepClone()).ToArray())));

        // A modal's title is all Slack shows of what it is for: the card's heading, else the name of
        // the button that opened it, else its first text, else what submitting it does.
        var title = ctx.Title ?? Str(card[ModalTitleHint]) ?? ctx.FirstText ?? Str(submit?["title"]) ?? "Form";
        var view = new JsonObject
        {
            ["type"] = "modal",
            ["callback_id"] = submit is not null && SurveyFeature.CarriesAnswer(Str(SubmitData(submit)["verb"]))
                ? AnswerFormCallbackId : FormCallbackId,
            ["title"] = Plain(title, BlockKitLimits.ModalTitle),
            ["close"] = Plain("Cancel", BlockKitLimits.ModalTitle),
            ["blocks"] = ctx.Fit(BlockKitLimits.ModalBlocks, int.MaxValue),
        };
        if (submit is not null || ctx.HasInputs)
            view["submit"] = Plain(submit?["title"]?.GetValue<string>() ?? "Submit", BlockKitLimits.ModalTitle);

        var metadata = new JsonObject { ["submit"] = submit is null ? new JsonObject() : SubmitData(submit) };
        if (ctx.Toggles.Count > 0) metadata["toggles"] = ctx.Toggles;
        if (ctx.LongChoices.Count > 0) metadata["choices"] = ctx.LongChoices;
        return new(new SlackModal(view, metadata), ctx.Parked);
    }

    /// <summary>
    /// A modal submission's inputs (view.state.values) as the card inputs Adaptive Cards would submit,
    /// keyed by input id, using what <see cref="Modal"/> put in the metadata.
    /// </summary>
    public static JsonObject ReadInputs(JsonObject? stateValues, JsonObject metadata)
    {
        var inputs = new JsonObject();
        if (stateValues is null) return inputs;
        var toggles = metadata["toggles"] as JsonObject;
        var choices = metadata["choices"] as JsonObject;
        foreach (var (_, block) in stateValues)
        {
            if (block is not JsonObject actions) continue;
            foreach (var (id, state) in actions)
            {
                if (state is not JsonObject s) continue;
                string? Choice(JsonNode? option)
                {
                    var v = option?["value"]?.GetValue<string>();
                    if (v is not null && v.StartsWith('#') && choices?[id] is JsonArray list
                        && int.TryParse(v.AsSpan(1), out var i) && i >= 0 && i < list.Count)
                        return list[i]?.GetValue<string>();
                    return v;
                }
                var selected = (s["selected_options"] as JsonArray)?.Select(Choice).OfType<string>().ToList();
                string? value = Type(s) switch
                {
                    "datepicker" => Str(s["selected_date"]),
                    "timepicker" => Str(s["selected_time"]),
                    "static_select" or "radio_buttons" => Choice(s["selected_option"]),
                    "checkboxes" when toggles?[id] is JsonNode off => selected is { Count: > 0 } ? selected[0] : Str(off),
                    "checkboxes" or "multi_static_select" => selected is null ? null : string.Join(",", selected),
                    _ => Str(s["value"]),
                };
                if (value is not null) inputs[id] = value;
            }
        }
        return inputs;
    }

    /// <summary>What a Submit/Execute action submits: its data, with Execute's verb folded in.</summary>
    public static JsonObject SubmitData(JsonObject action)
    {
        var data = action["data"] switch
        {
            JsonObject o => (JsonObject)o.DeepClone(),
            null => new JsonObject(),
            var other => new JsonObject { ["data"] = other.DeepClone() },
        };
        data.Remove("msteams");   // Teams-only hints (messageBack, task/fetch)
        if (Str(action["verb"]) is { } verb && data["verb"] is null) data["verb"] = verb;
        return data;
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static string? Type(JsonNode? node) => node?["type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string? Str(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    private static bool Flag(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static JsonObject Plain(string text, int max) =>
        new() { ["type"] = "plain_text", ["text"] = SlackText.Truncate(NonEmpty(text), max), ["emoji"] = true };

    private static JsonObject Mrkdwn(string text, int max) =>
        new() { ["type"] = "mrkdwn", ["text"] = SlackText.Truncate(NonEmpty(text), max) };

    private static string NonEmpty(string text) => string.IsNullOrWhiteSpace(text) ? " " : text;

    private static IEnumerable<JsonObject> Walk(JsonNode? items)
    {
        if (items is not JsonArray array) yield break;
        foreach (var e in array.OfType<JsonObject>())
        {
            yield return e;
            foreach (var child in Walk(e["items"])) yield return child;
            if (e["columns"] is JsonArray cols)
                foreach (var col in cols.OfType<JsonObject>())
                    foreach (var child in Walk(col["items"])) yield return child;
        }
    }

    private sealed class Context(Func<string> newId, bool modal)
    {
        public List<JsonObject> Blocks { get; } = [];
        /// <summary>For each block, the top-level card element it came from (-1: the card's own actions).</summary>
        private readonly List<int> _itemOf = [];
        private int _item = -1;
        private bool _dividerDue;
        private JsonObject? _mono;
        private readonly List<string> _monoLines = [];
        public List<ParkedValue> Parked { get; } = [];
        public JsonObject Toggles { get; } = [];
        public JsonObject LongChoices { get; } = [];
        public string? Title { get; private set; }
        public string? FirstText { get; private set; }
        public bool HasInputs { get; private set; }
        private readonly List<string> _plain = [];
        private readonly HashSet<string> _inputIds = new(StringComparer.Ordinal);

        public string PlainText() => SlackText.Escape(SlackText.Join(_plain, "\n"));

        /// <summary>The card's body, each top-level element one item as far as cutting is concerned.</summary>
        public void RenderBody(JsonArray? elements)
        {
            if (elements is null) return;
            foreach (var e in elements.OfType<JsonObject>())
            {
                _item++;
                Render(e);
            }
            _item = -1;
            _dividerDue = false;
        }

        /// <summary>
        /// Within the block count and size budget. The body is cut between items, never inside one, and
        /// the notice counts the items left out; the card's own actions after the body are always kept.
        /// </summary>
        public JsonArray Fit(int maxBlocks, int maxChars)
        {
            var tailStart = _itemOf.FindIndex(i => i < 0);
            if (tailStart < 0) tailStart = Blocks.Count;
            var sizes = Blocks.Select(b => b.ToJsonString().Length).ToList();
            var tailBlocks = Blocks.Count - tailStart;
            var tailChars = sizes.Skip(tailStart).Sum();

            var fits = 0;
            var chars = 0;
            while (fits < tailStart)
            {
                var roomForNotice = fits < tailStart - 1 ? 1 : 0;
                if (fits + 1 + roomForNotice + tailBlocks > maxBlocks || chars + sizes[fits] + tailChars > maxChars - 200) break;
                chars += sizes[fits];
                fits++;
            }

            var result = new JsonArray();
            if (fits < tailStart)
            {
                // Back to the start of the item that did not fit whole, unless it is the first one.
                var cut = fits;
                while (cut > 0 && _itemOf[cut - 1] == _itemOf[fits]) cut--;
                if (cut == 0) cut = fits;
                while (cut > 0 && Type(Blocks[cut - 1]) == "divider") cut--;
                var left = _itemOf.Skip(cut).Take(tailStart - cut).Distinct().Count();
                for (var i = 0; i < cut; i++) result.Add(Blocks[i]);
                result.Add(new JsonObject
                {
                    ["type"] = "context",
                    ["elements"] = new JsonArray(Mrkdwn($"_…{left} more not shown_", BlockKitLimits.SectionText)),
                });
            }
            else
            {
                for (var i = 0; i < tailStart; i++) result.Add(Blocks[i]);
            }
            for (var i = tailStart; i < Blocks.Count; i++) result.Add(Blocks[i]);
            return result;
        }

        private void Add(JsonObject block)
        {
            if (_dividerDue && Blocks.Count > 0 && Type(Blocks[^1]) != "divider") Append(new JsonObject { ["type"] = "divider" });
            _dividerDue = false;
            Append(block);
        }

        private void Append(JsonObject block)
        {
            Blocks.Add(block);
            _itemOf.Add(_item);
        }

        public void RenderElements(JsonArray? elements)
        {
            if (elements is null) return;
            foreach (var e in elements.OfType<JsonObject>()) Render(e);
        }

        private void Render(JsonObject e)
        {
            if (e["isVisible"] is JsonValue vis && vis.TryGetValue<bool>(out var visible) && !visible) return;
            // The divider is drawn only once the element renders something: inputs are not shown in a
            // message, and a separator above nothing would leave runs of empty dividers.
            var dividerWasDue = _dividerDue;
            if (Flag(e["separator"]) && Blocks.Count > 0) _dividerDue = true;
            var before = Blocks.Count;

            switch (Type(e))
            {
                case "TextBlock": TextBlock(e); break;
                case "RichTextBlock": Section(RichText(e)); break;
                case "FactSet": FactSet(e); break;
                case "Image": Image(e); break;
                case "ImageSet":
                    foreach (var img in (e["images"] as JsonArray)?.OfType<JsonObject>() ?? []) Image(img);
                    break;
                case "Container": RenderElements(e["items"] as JsonArray); AddSelectAction(e); break;
                case "ColumnSet": ColumnSet(e); break;
                case "ActionSet": AddActions(Buttons(e["actions"] as JsonArray)); break;
                case "Input.Text" or "Input.Date" or "Input.Time" or "Input.Number" or "Input.ChoiceSet" or "Input.Toggle":
                    if (modal) Input(e);
                    break;
                // Slack draws no charts (Chart.*): an element it cannot show shows its fallback, as a host should.
                case not null when e["fallback"] is JsonObject fallback:
                    Render(fallback);
                    break;
            }
            if (Blocks.Count == before) _dividerDue = dividerWasDue;
        }

        private void TextBlock(JsonObject e)
        {
            var text = Str(e["text"]) ?? "";
            if (string.IsNullOrWhiteSpace(text)) return;
            _plain.Add(SlackText.ToPlain(text));
            var size = Str(e["size"])?.ToLowerInvariant();
            // Cards title themselves with a bold Medium/Large line; Slack's equivalent is a header block.
            var heading = Str(e["style"]) == "heading"
                || (Str(e["weight"])?.ToLowerInvariant() == "bolder" && size is "medium" or "large" or "extralarge");
            FirstText ??= SlackText.ToPlain(text);
            if (Str(e["fontType"])?.ToLowerInvariant() == "monospace" && !heading)
            {
                Monospace(text);
                return;
            }
            if (heading)
            {
                Title ??= SlackText.ToPlain(text);
                Add(new JsonObject { ["type"] = "header", ["text"] = Plain(SlackText.ToPlain(text), BlockKitLimits.HeaderText) });
                return;
            }
            var mrkdwn = SlackText.ToMrkdwn(text);
            if (Str(e["weight"])?.ToLowerInvariant() == "bolder") mrkdwn = $"*{mrkdwn}*";
            if (Flag(e["isSubtle"]) || size == "small")
                Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Mrkdwn(mrkdwn, BlockKitLimits.SectionText)) });
            else
                Section(mrkdwn);
        }

        /// <summary>
        /// Monospace lines (survey bars) go into one code block, consecutive lines together, so that
        /// Slack keeps their alignment; their text is escaped but not read as markdown.
        /// </summary>
        private void Monospace(string text)
        {
            var line = SlackText.Escape(text);
            var joined = string.Join("\n", _monoLines.Append(line));
            if (_mono is not null && !_dividerDue && Blocks.Count > 0 && ReferenceEquals(Blocks[^1], _mono)
                && joined.Length + 6 <= BlockKitLimits.SectionText)
            {
                _monoLines.Add(line);
                _mono["text"]!["text"] = $"```{joined}```";
                return;
            }
            _monoLines.Clear();
            _monoLines.Add(line);
            _mono = new JsonObject { ["type"] = "section", ["text"] = Mrkdwn($"```{SlackText.Truncate(line, BlockKitLimits.SectionText - 6)}```", BlockKitLimits.SectionText) };
            Add(_mono);
        }

        private string RichText(JsonObject e)
        {
            var parts = new List<string>();
            foreach (var inline in (e["inlines"] as JsonArray) ?? [])
            {
                if (inline is JsonValue) { parts.Add(SlackText.ToMrkdwn(Str(inline) ?? "")); continue; }
                if (inline is not JsonObject run) continue;
                var t = SlackText.Escape(Str(run["text"]) ?? "");
                if (string.IsNullOrWhiteSpace(t)) { parts.Add(t); continue; }
                if (Str(run["weight"])?.ToLowerInvariant() == "bolder") t = $"*{t}*";
                if (Flag(run["italic"])) t = $"_{t}_";
                if (Flag(run["strikethrough"])) t = $"~{t}~";
                parts.Add(t);
                _plain.Add(Str(run["text"]) ?? "");
            }
            return string.Concat(parts);
        }

        private void Section(string mrkdwn, JsonObject? accessory = null)
        {
            if (string.IsNullOrWhiteSpace(mrkdwn) && accessory is null) return;
            var block = new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(mrkdwn, BlockKitLimits.SectionText) };
            if (accessory is not null) block["accessory"] = accessory;
            Add(block);
        }

        private void FactSet(JsonObject e)
        {
            var facts = (e["facts"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            foreach (var chunk in facts.Chunk(BlockKitLimits.SectionFields))
            {
                var fields = new JsonArray();
                foreach (var f in chunk)
                {
                    var title = Str(f["title"]) ?? "";
                    var value = Str(f["value"]) ?? "";
                    _plain.Add($"{SlackText.ToPlain(title)}: {SlackText.ToPlain(value)}");
                    fields.Add(Mrkdwn($"*{SlackText.Escape(SlackText.ToPlain(title))}*\n{SlackText.ToMrkdwn(value)}", BlockKitLimits.FieldText));
                }
                if (fields.Count > 0) Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
            }
        }

        private void Image(JsonObject e)
        {
            var url = Str(e["url"]);
            if (url is null || url.Length > BlockKitLimits.Url
                || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) return;
            Add(new JsonObject
            {
                ["type"] = "image",
                ["image_url"] = url,
                ["alt_text"] = SlackText.Truncate(NonEmpty(Str(e["altText"]) ?? "image"), BlockKitLimits.AltText),
            });
        }

        /// <summary>
        /// A row (one list item: title · due date · buttons) stays one row: its texts joined into one
        /// section, a single button as the section's accessory, more buttons in an actions block below.
        /// </summary>
        private void ColumnSet(JsonObject e)
        {
            var columns = (e["columns"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            if (modal && columns.Any(c => Walk(c["items"]).Any(i => InputTypes.Contains(Type(i)))))
            {
                foreach (var c in columns) RenderElements(c["items"] as JsonArray);
                return;
            }

            var texts = new List<string>();
            var buttons = new List<JsonObject>();
            foreach (var column in columns)
            {
                foreach (var item in Walk(column["items"]))
                {
                    if (item["isVisible"] is JsonValue v && v.TryGetValue<bool>(out var visible) && !visible) continue;
                    switch (Type(item))
                    {
                        case "TextBlock" when !string.IsNullOrWhiteSpace(Str(item["text"])):
                            var t = Str(item["text"])!;
                            _plain.Add(SlackText.ToPlain(t));
                            var m = SlackText.ToMrkdwn(t);
                            texts.Add(Str(item["weight"])?.ToLowerInvariant() == "bolder" ? $"*{m}*" : m);
                            break;
                        case "RichTextBlock": texts.Add(RichText(item)); break;
                        case "FactSet":
                            foreach (var f in (item["facts"] as JsonArray)?.OfType<JsonObject>() ?? [])
                                texts.Add($"*{SlackText.Escape(Str(f["title"]) ?? "")}* {SlackText.ToMrkdwn(Str(f["value"]) ?? "")}");
                            break;
                        case "ActionSet": buttons.AddRange(Buttons(item["actions"] as JsonArray)); break;
                    }
                    if (item["selectAction"] is JsonObject sa) buttons.AddRange(Buttons(new JsonArray(sa.DeepClone())));
                }
                if (column["selectAction"] is JsonObject csa) buttons.AddRange(Buttons(new JsonArray(csa.DeepClone())));
            }

            var line = SlackText.Join(texts, "  ·  ");
            if (buttons.Count == 1 && !string.IsNullOrWhiteSpace(line))
            {
                Section(line, buttons[0]);
                return;
            }
            Section(line);
            AddActions(buttons);
        }

        private void AddSelectAction(JsonObject e)
        {
            if (e["selectAction"] is JsonObject sa) AddActions(Buttons(new JsonArray(sa.DeepClone())));
        }

        public void AddActions(List<JsonObject> buttons)
        {
            foreach (var chunk in buttons.Chunk(BlockKitLimits.ActionsElements))
            {
                var used = new HashSet<string>(StringComparer.Ordinal);
                foreach (var b in chunk)
                {
                    // action_ids must be unique within a block; the value, not the id, carries the data.
                    var id = b["action_id"]!.GetValue<string>();
                    for (var n = 2; !used.Add(id); n++) id = SlackText.Truncate(b["action_id"]!.GetValue<string>(), BlockKitLimits.Id - 4) + "." + n;
                    b["action_id"] = id;
                }
                Add(new JsonObject { ["type"] = "actions", ["elements"] = new JsonArray(chunk.Select(JsonNode (b) => b).ToArray()) });
            }
        }

        public List<JsonObject> Buttons(JsonArray? actions)
        {
            var result = new List<JsonObject>();
            foreach (var a in actions?.OfType<JsonObject>() ?? [])
            {
                var title = SlackText.ToPlain(Str(a["title"]) ?? "");
                switch (Type(a))
                {
                    case "Action.Submit" or "Action.Execute":
                        var data = SubmitData(a);
                        var verb = Str(data["verb"]) ?? "submit";
                        result.Add(Button(title.Length > 0 ? title : verb, SlackText.Truncate(verb, BlockKitLimits.Id), Value(data.ToJsonString()), Str(a["style"])));
                        break;
                    case "Action.OpenUrl" when Str(a["url"]) is { Length: <= BlockKitLimits.Url } url:
                        var link = Button(title.Length > 0 ? title : url, OpenUrlAction, null, Str(a["style"]));
                        link["url"] = url;
                        result.Add(link);
                        break;
                    case "Action.ShowCard" when a["card"] is JsonObject child:
                        result.Add(OpenCardButton(title.Length > 0 ? title : "More", child, title));
                        break;
                }
            }
            return result;
        }

        /// <summary>Cards are too big for a button value: the card is parked and the button opens it as a modal.</summary>
        public JsonObject OpenCardButton(string title, JsonObject card, string? modalTitle)
        {
            var id = newId();
            if (!string.IsNullOrWhiteSpace(modalTitle) && card[ModalTitleHint] is null)
            {
                card = (JsonObject)card.DeepClone();
                card[ModalTitleHint] = modalTitle;
            }
            Parked.Add(new ParkedValue(id, card.ToJsonString()));
            return Button(title, OpenCardAction, new JsonObject { ["parked"] = id }.ToJsonString(), "primary");
        }

        private string Value(string json)
        {
            if (json.Length <= BlockKitLimits.ButtonValue) return json;
            var id = newId();
            Parked.Add(new ParkedValue(id, json));
            return new JsonObject { ["parked"] = id }.ToJsonString();
        }

        private static JsonObject Button(string title, string actionId, string? value, string? style)
        {
            var b = new JsonObject
            {
                ["type"] = "button",
                ["action_id"] = actionId,
                ["text"] = Plain(title, BlockKitLimits.ButtonText),
            };
            if (value is not null) b["value"] = value;
            var slackStyle = style?.ToLowerInvariant() switch { "positive" => "primary", "destructive" => "danger", _ => null };
            if (slackStyle is not null) b["style"] = slackStyle;
            return b;
        }

        private void Input(JsonObject e)
        {
            var id = Str(e["id"]);
            // Slack refuses repeated block_ids; Adaptive Cards would submit only one value per id anyway.
            if (string.IsNullOrEmpty(id) || id.Length > BlockKitLimits.Id || !_inputIds.Add(id)) return;
            HasInputs = true;
            var label = Str(e["label"]) ?? Str(e["placeholder"]) ?? Str(e["title"]) ?? id;
            var value = Str(e["value"]);
            JsonObject element;
            switch (Type(e))
            {
                case "Input.Date":
                    element = new JsonObject { ["type"] = "datepicker" };
                    if (DateOnly.TryParseExact(value, "yyyy-MM-dd", out _)) element["initial_date"] = value;
                    break;
                case "Input.Time":
                    element = new JsonObject { ["type"] = "timepicker" };
                    if (TimeOnly.TryParseExact(value, "HH:mm", out _)) element["initial_time"] = value;
                    break;
                case "Input.Number":
                    element = new JsonObject { ["type"] = "number_input", ["is_decimal_allowed"] = true };
                    if (decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _))
                        element["initial_value"] = value;
                    if (Str(e["min"]) is { } min) element["min_value"] = min;
                    if (Str(e["max"]) is { } max) element["max_value"] = max;
                    break;
                case "Input.ChoiceSet":
                    element = ChoiceSet(id, e, value);
                    break;
                case "Input.Toggle":
                    var on = Str(e["valueOn"]) ?? "true";
                    Toggles[id] = Str(e["valueOff"]) ?? "false";
                    var option = Option(Str(e["title"]) ?? label, on.Length <= BlockKitLimits.OptionValue ? on : "#0");
                    if (on.Length > BlockKitLimits.OptionValue) LongChoices[id] = new JsonArray(on);
                    element = new JsonObject { ["type"] = "checkboxes", ["options"] = new JsonArray(option) };
                    if (value == on) element["initial_options"] = new JsonArray(option.DeepClone());
                    break;
                default:
                    element = new JsonObject { ["type"] = "plain_text_input", ["multiline"] = Flag(e["isMultiline"]) };
                    var maxLength = e["maxLength"] is JsonValue ml && ml.TryGetValue<int>(out var n) && n > 0
                        ? Math.Min(n, BlockKitLimits.InputValue) : BlockKitLimits.InputValue;
                    element["max_length"] = maxLength;
                    if (!string.IsNullOrEmpty(value)) element["initial_value"] = SlackText.Truncate(value, maxLength);
                    break;
            }
            element["action_id"] = id;
            if (Str(e["placeholder"]) is { Length: > 0 } placeholder && Type(element) is not ("checkboxes" or "radio_buttons"))
                element["placeholder"] = Plain(placeholder, BlockKitLimits.Placeholder);

            Add(new JsonObject
            {
                ["type"] = "input",
                ["block_id"] = id,
                ["optional"] = !Flag(e["isRequired"]),
                ["label"] = Plain(SlackText.ToPlain(label), BlockKitLimits.InputLabel),
                ["element"] = element,
            });
        }

        private JsonObject ChoiceSet(string id, JsonObject e, string? value)
        {
            var choices = (e["choices"] as JsonArray)?.OfType<JsonObject>().Take(BlockKitLimits.SelectOptions).ToList() ?? [];
            var multi = Flag(e["isMultiSelect"]);
            var expanded = Str(e["style"]) == "expanded";
            var type = multi
                ? choices.Count <= BlockKitLimits.RadioOptions ? "checkboxes" : "multi_static_select"
                : expanded && choices.Count <= BlockKitLimits.RadioOptions ? "radio_buttons" : "static_select";

            var selected = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            var options = new JsonArray();
            var initial = new JsonArray();
            var longValues = choices.Any(c => (Str(c["value"]) ?? "").Length > BlockKitLimits.OptionValue);
            for (var i = 0; i < choices.Count; i++)
            {
                var v = Str(choices[i]["value"]) ?? "";
                var option = Option(Str(choices[i]["title"]) ?? v, longValues ? $"#{i}" : v);
                options.Add(option);
                if (selected.Contains(v)) initial.Add(option.DeepClone());
            }
            if (longValues) LongChoices[id] = new JsonArray(choices.Select(c => (JsonNode?)JsonValue.Create(Str(c["value"]) ?? "")).ToArray());

            var element = new JsonObject { ["type"] = type, ["options"] = options };
            if (initial.Count > 0)
            {
                if (type is "checkboxes" or "multi_static_select") element["initial_options"] = initial;
                else element["initial_option"] = initial[0]!.DeepClone();
            }
            return element;
        }

        private static JsonObject Option(string title, string value) =>
            new() { ["text"] = Plain(SlackText.ToPlain(title), BlockKitLimits.OptionText), ["value"] = SlackText.Truncate(value, BlockKitLimits.OptionValue) };
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrmBot.IntegrationTests.Fuzz;

/// <summary>
/// Breaks a valid JSON request body the ways a careless or hostile client would: truncation, wrong types, nulls,
/// removed and duplicated properties, deep nesting, invalid UTF-8, lone surrogates, oversize bodies, broken syntax.
/// Tree edits are made on the parsed body; what JSON cannot hold (duplicates, bad bytes) is spliced into the text
/// through a marker value. A string is never replaced by another readable string: a different valid id names a
/// different member, whom a valid request may rightly create, and the fuzz run asserts that no CRM row changes.
/// </summary>
public sealed class JsonMutator(Random rng, int sizeLimit)
{
    private readonly List<(string Marker, byte[] Raw)> _splices = [];

    public static readonly string[] Kinds =
    [
        "truncate", "wrong-type", "null", "remove", "duplicate", "deep-nesting", "invalid-utf8", "lone-surrogate",
        "oversize", "padding", "random-value", "break-syntax", "root", "key-surrogate",
    ];

    /// <summary>The mutated body, and what was done (for the failure message).</summary>
    public (byte[] Body, string What) Mutate(JsonObject root)
    {
        _splices.Clear();
        var what = new List<string>();
        var count = rng.Next(10) < 7 ? 1 : rng.Next(2, 4);
        string? textKind = null;
        for (var i = 0; i < count; i++)
        {
            var kind = Kinds[rng.Next(Kinds.Length)];
            // Text-level kinds act on the finished body, so at most one of them and last.
            if (kind is "truncate" or "break-syntax" or "oversize" or "padding" or "root")
            {
                textKind ??= kind;
                continue;
            }
            what.Add(MutateTree(root, kind));
        }
        var body = Render(root);
        if (textKind is not null)
        {
            (body, var note) = MutateText(body, textKind);
            what.Add(note);
        }
        return (body, string.Join("; ", what));
    }

    private string MutateTree(JsonObject root, string kind)
    {
        var slots = Slots(root);
        var slot = slots[rng.Next(slots.Count)];
        var path = slot.Path;
        var original = slot.Node;
        switch (kind)
        {
            case "wrong-type":
                var kindOf = original?.GetValueKind();
                var choices = Pool.Where(p => p.Kind != kindOf).ToArray();
                var pick = choices[rng.Next(choices.Length)];
                slot.Set(JsonNode.Parse(pick.Json));
                return $"wrong-type {path}={pick.Json}";
            case "null":
                slot.Set(null);
                return $"null {path}";
            case "remove":
                slot.Remove();
                return $"remove {path}";
            case "duplicate":
                if (slot.Key is null) return "duplicate (no property)";
                var alt = original?.GetValueKind() == JsonValueKind.String ? original.ToJsonString() : Pool[rng.Next(Pool.Length)].Json;
                var first = rng.Next(2) == 0;
                // The original first or last: a reader taking either one must refuse, not pick.
                var own = original?.ToJsonString() ?? "null";
                var raw = first ? $"{own},{JsonSerializer.Serialize(slot.Key)}:{alt}" : $"{alt},{JsonSerializer.Serialize(slot.Key)}:{own}";
                slot.Set(Splice(Encoding.UTF8.GetBytes(raw)));
                return $"duplicate {path}";
            case "deep-nesting":
                var depth = new[] { 16, 64, 65, 200, 1000, 5000 }[rng.Next(6)];
                var nested = rng.Next(2) == 0
                    ? new string('[', depth) + "1" + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                slot.Set(Splice(Encoding.UTF8.GetBytes(nested)));
                return $"deep-nesting {path} depth {depth}";
            case "invalid-utf8":
                var bad = BadUtf8[rng.Next(BadUtf8.Length)];
                slot.Set(Splice(StringWith(original, Encoding.UTF8.GetBytes(""), bad)));
                return $"invalid-utf8 {path} {Convert.ToHexString(bad)}";
            case "lone-surrogate":
                var escape = Surrogates[rng.Next(Surrogates.Length)];
                slot.Set(Splice(StringWith(original, Encoding.UTF8.GetBytes(escape), [])));
                return $"lone-surrogate {path} {escape}";
            case "key-surrogate":
                if (slot.Key is null || slot.Parent is not JsonObject parent) return "key-surrogate (no property)";
                var marker = NewMarker(Encoding.UTF8.GetBytes($"\"{slot.Key}{Surrogates[rng.Next(Surrogates.Length)]}\""));
                var value = original?.DeepClone();
                parent.Remove(slot.Key);
                parent[marker] = value;
                return $"key-surrogate {path}";
            default:   // random-value
                var v = RandomValue(3);
                // Blank strings name no one; any other string could be a new valid id.
                if (original?.GetValueKind() == JsonValueKind.String && v is JsonValue sv && sv.TryGetValue<string>(out var vs) && !string.IsNullOrWhiteSpace(vs))
                    v = JsonValue.Create(1);
                slot.Set(v);
                return $"random-value {path}={v?.ToJsonString() ?? "null"}";
        }
    }

    private (byte[] Body, string What) MutateText(byte[] body, string kind)
    {
        switch (kind)
        {
            case "truncate":
                var at = rng.Next(body.Length);
                return (body[..at], $"truncate at {at}");
            case "break-syntax":
                var structural = Structural(body);
                var i = structural[rng.Next(structural.Length)];
                var copy = (byte[])body.Clone();
                copy[i] = (byte)"{}[]:,\" x\\\0\n"[rng.Next(12)];
                return (copy, $"break-syntax at {i}");
            case "oversize":
                // Past the limit by a little or by far: refused before anything reads it.
                var over = sizeLimit - body.Length + 1 + (rng.Next(2) == 0 ? rng.Next(16) : rng.Next(sizeLimit));
                return (Pad(body, Math.Max(1, over)), $"oversize +{over}");
            case "padding":
                // Whitespace up to just under the limit: valid, and every byte of it must be read.
                var room = sizeLimit - body.Length - 1;
                return (Pad(body, Math.Max(0, room - rng.Next(64))), "padding to the limit");
            default:   // root
                var roots = new[] { "", " ", "null", "[]", "1", "\"x\"", "true", "[{}]", "{}", "{\"type\":null}", "\u00ff\u00fe", "{\"\":{}}" };
                var r = roots[rng.Next(roots.Length)];
                return (r == "\u00ff\u00fe" ? [0xFF, 0xFE, (byte)'{', (byte)'}'] : Encoding.UTF8.GetBytes(r), $"root {r}");
        }
    }

    /// <summary>Where the syntax is: quotes, and brackets, colons and commas outside strings (inside, a change would only be another string).</summary>
    private static int[] Structural(byte[] body)
    {
        var found = new List<int>();
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (inString && b == '\\') i++;
            else if (b == '"')
            {
                inString = !inString;
                found.Add(i);
            }
            else if (!inString && b is (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)':' or (byte)',') found.Add(i);
        }
        return [.. found];
    }

    private static byte[] Pad(byte[] body, int count)
    {
        var padded = new byte[body.Length + count];
        padded[0] = body.Length > 0 ? body[0] : (byte)' ';
        padded.AsSpan(1, count).Fill((byte)' ');
        body.AsSpan(Math.Min(1, body.Length)).CopyTo(padded.AsSpan(1 + count));
        return padded;
    }

    /// <summary>A JSON string literal: the original string (or "x") with <paramref name="escape"/> text or <paramref name="raw"/> bytes inside.</summary>
    private byte[] StringWith(JsonNode? original, byte[] escape, byte[] raw)
    {
        var s = original is JsonValue v && v.TryGetValue<string>(out var text) ? text : "x";
        var at = rng.Next(s.Length + 1);
        var head = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(s[..at]));
        var tail = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(s[at..]));
        return [.. head[..^1], .. escape, .. raw, .. tail[1..]];
    }

    private JsonNode Splice(byte[] raw) => JsonValue.Create(NewMarker(raw));

    private string NewMarker(byte[] raw)
    {
        var marker = $"FUZZSPLICE{_splices.Count}X{rng.Next():x}";
        _splices.Add((marker, raw));
        return marker;
    }

    /// <summary>The body as text, with each marker (a string, or a key, in quotes) replaced by its raw bytes.</summary>
    private byte[] Render(JsonObject root)
    {
        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        foreach (var (marker, raw) in _splices)
        {
            var quoted = Encoding.UTF8.GetBytes($"\"{marker}\"");
            var at = bytes.AsSpan().IndexOf(quoted);
            if (at < 0) continue;   // its node was replaced or removed by a later edit
            bytes = [.. bytes[..at], .. raw, .. bytes[(at + quoted.Length)..]];
        }
        return bytes;
    }

    private JsonNode? RandomValue(int depth)
    {
        var pick = rng.Next(depth > 0 ? 6 : 4);
        return pick switch
        {
            0 => null,
            1 => JsonNode.Parse(Pool[rng.Next(Pool.Length)].Json),
            2 => JsonValue.Create(rng.Next(2) == 0),
            3 => JsonValue.Create(new[] { "", " ", "\t", "\u0000" }[rng.Next(4)]),
            4 => new JsonArray(Enumerable.Range(0, rng.Next(4)).Select(_ => RandomValue(depth - 1)).ToArray()),
            _ => new JsonObject(Enumerable.Range(0, rng.Next(4)).Select(i => KeyValuePair.Create(
                new[] { "id", "type", "text", "value", "verb", "user", "" }[rng.Next(7)] + (i == 0 ? "" : i.ToString()), RandomValue(depth - 1)))),
        };
    }

    private static readonly (JsonValueKind? Kind, string Json)[] Pool =
    [
        (JsonValueKind.Null, "null"), (JsonValueKind.True, "true"), (JsonValueKind.False, "false"),
        (JsonValueKind.Number, "0"), (JsonValueKind.Number, "-1"), (JsonValueKind.Number, "1.5"), (JsonValueKind.Number, "1e400"),
        (JsonValueKind.Number, "99999999999999999999999"), (JsonValueKind.Number, "-0"), (JsonValueKind.Number, "2147483648"),
        (JsonValueKind.String, "\"\""), (JsonValueKind.String, "\" \""), (JsonValueKind.String, "\"x\""), (JsonValueKind.String, "\"{}\""),
        (JsonValueKind.Object, "{}"), (JsonValueKind.Object, "{\"id\":5}"), (JsonValueKind.Object, "{\"\":null}"),
        (JsonValueKind.Array, "[]"), (JsonValueKind.Array, "[null]"), (JsonValueKind.Array, "[1,\"x\"]"), (JsonValueKind.Array, "[{}]"),
    ];

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80],
    ];

    private static readonly string[] Surrogates = ["\\ud800", "\\udfff", "\\ud83d", "\\ude00x", "\\ud800\\ud800"];

    /// <summary>Every node below the root, with how to replace or remove it.</summary>
    private static List<Slot> Slots(JsonObject root)
    {
        var slots = new List<Slot>();
        void Walk(JsonNode node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, child) in o.ToArray())
                    {
                        slots.Add(new Slot(o, key, -1, child, $"{path}.{key}"));
                        if (child is not null) Walk(child, $"{path}.{key}");
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        slots.Add(new Slot(a, null, i, a[i], $"{path}[{i}]"));
                        if (a[i] is { } item) Walk(item, $"{path}[{i}]");
                    }
                    break;
            }
        }
        Walk(root, "$");
        return slots;
    }

    private sealed record Slot(JsonNode Parent, string? Key, int Index, JsonNode? Node, string Path)
    {
        public void Set(JsonNode? value)
        {
            if (Parent is JsonObject o) o[Key!] = value;
            else ((JsonArray)Parent)[Index] = value;
        }

        public void Remove()
        {
            if (Parent is JsonObject o) o.Remove(Key!);
            else ((JsonArray)Parent).RemoveAt(Index);
        }
    }
}

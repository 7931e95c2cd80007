using System.Text;
using System.Text.Json.Nodes;

namespace CrmBot.IntegrationTests.Fuzz;

/// <summary>
/// Breaks a valid form-encoded body (Slack's commands and interactions): fields removed, blanked, repeated, badly
/// percent-encoded, raw invalid bytes, oversize, truncated; a JSON field is broken by <see cref="JsonMutator"/>. The
/// fields that name the sender only ever lose their value (as <see cref="JsonMutator"/> explains for strings).
/// </summary>
public sealed class FormMutator(Random rng, int sizeLimit, JsonMutator json)
{
    private static readonly string[] Identity = ["team_id", "user_id"];

    private static readonly string[] Kinds =
        ["remove", "blank", "duplicate", "bad-escape", "raw-bytes", "oversize", "truncate", "stray", "root", "json", "json"];

    public (byte[] Body, string What) Mutate(List<KeyValuePair<string, string>> fields, string? jsonKey = null)
    {
        var values = fields.Select(f => (Key: f.Key, Value: Encoding.UTF8.GetBytes(f.Value), Raw: false)).ToList();
        var kind = Kinds[rng.Next(Kinds.Length)];
        if (kind == "json" && jsonKey is null) kind = "duplicate";
        var i = rng.Next(values.Count);
        var (key, value, _) = values[i];
        var free = !Identity.Contains(key);
        switch (kind)
        {
            case "remove":
                values.RemoveAt(i);
                return (Encode(values), $"remove {key}");
            case "blank":
                values[i] = (key, Encoding.UTF8.GetBytes(new[] { "", " ", "\t" }[rng.Next(3)]), false);
                return (Encode(values), $"blank {key}");
            case "duplicate":
                var other = free ? Encoding.UTF8.GetBytes(new[] { "", "x", "{}", "/other" }[rng.Next(4)]) : [];
                values.Insert(rng.Next(2) == 0 ? i : i + 1, (key, other, false));
                return (Encode(values), $"duplicate {key}");
            case "bad-escape" when free:
                // Each is malformed whatever follows it (a lone '%' before two hex digits would be a valid escape of another value).
                var escape = new[] { "%G", "%Z", "%FF", "%ED%A0%80", "%C3%28", "%%", "%u0041", "%E2%82" }[rng.Next(8)];
                var at = rng.Next(value.Length + 1);
                values[i] = (key, [.. Escape(value[..at]), .. Encoding.ASCII.GetBytes(escape), .. Escape(value[at..])], true);
                return (Encode(values), $"bad-escape {key} {escape}");
            case "raw-bytes" when free:
                var bytes = new byte[][] { [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0x80] }[rng.Next(4)];
                var pos = rng.Next(value.Length + 1);
                values[i] = (key, [.. Escape(value[..pos]), .. bytes, .. Escape(value[pos..])], true);
                return (Encode(values), $"raw-bytes {key} {Convert.ToHexString(bytes)}");
            case "oversize" when free:
                values[i] = (key, Encoding.ASCII.GetBytes(new string('a', sizeLimit + rng.Next(1, 4096))), false);
                return (Encode(values), $"oversize {key}");
            case "truncate":
                var body = Encode(values);
                var cut = rng.Next(body.Length);
                return (body[..cut], $"truncate at {cut}");
            case "stray":
                var stray = new[] { "&&", "=x", "a==b", "&=&", "payload", "text" }[rng.Next(6)];
                return ([.. Encode(values), (byte)'&', .. Encoding.ASCII.GetBytes(stray)], $"stray {stray}");
            case "root":
                var root = new[] { "", "=", "&", "payload=", "payload=%7B%7D", "payload=null", "command=" }[rng.Next(7)];
                return (Encoding.ASCII.GetBytes(root), $"root {root}");
            case "json":
                var j = values.FindIndex(v => v.Key == jsonKey);
                var (mutated, what) = json.Mutate((JsonObject)JsonNode.Parse(values[j].Value)!);
                values[j] = (jsonKey!, mutated, false);
                return (Encode(values), $"{jsonKey}: {what}");
            default:
                values.RemoveAt(i);
                return (Encode(values), $"remove {key}");
        }
    }

    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> fields) =>
        Encode(fields.Select(f => (f.Key, Encoding.UTF8.GetBytes(f.Value), false)));

    /// <summary>key=value&amp;…, each value percent-encoded byte by byte unless it is already (Raw).</summary>
    private static byte[] Encode(IEnumerable<(string Key, byte[] Value, bool Raw)> fields)
    {
        var body = new List<byte>();
        foreach (var (key, value, raw) in fields)
        {
            if (body.Count > 0) body.Add((byte)'&');
            body.AddRange(Escape(Encoding.UTF8.GetBytes(key)));
            body.Add((byte)'=');
            body.AddRange(raw ? value : Escape(value));
        }
        return [.. body];
    }

    private static byte[] Escape(byte[] bytes)
    {
        var escaped = new List<byte>(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                escaped.Add(b);
            else
                escaped.AddRange(Encoding.ASCII.GetBytes($"%{b:X2}"));
        }
        return [.. escaped];
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace CrmBot.Conversations.Cards;

/// <summary>Expands ${...}, $data and $when in an Adaptive Card template against a data object.</summary>
public static class TemplateBinder
{
    private sealed record Scope(JsonNode? Data, JsonNode? Root, int Index);

    private static readonly JsonNode Dropped = JsonValue.Create("\u0000dropped")!;

    public static JsonObject Bind(JsonObject template, JsonNode? data)
    {
        var result = Expand(template, new Scope(data, data, 0));
        return result as JsonObject ?? throw new InvalidOperationException("A card template must bind to an object.");
    }

    private static JsonNode? Expand(JsonNode? node, Scope scope)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.TryGetPropertyValue("$data", out var dataSpec))
                    scope = scope with { Data = Evaluate(dataSpec, scope) };
                if (obj.TryGetPropertyValue("$when", out var when) && !Truthy(Evaluate(when, scope)))
                    return Dropped;
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key is "$data" or "$when") continue;
                    var expanded = Expand(value, scope);
                    if (!ReferenceEquals(expanded, Dropped)) copy[key] = expanded;
                }
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    if (item is JsonObject o && o.TryGetPropertyValue("$data", out var spec) && Evaluate(spec, scope) is JsonArray repeat)
                    {
                        var template = (JsonObject)o.DeepClone();
                        template.Remove("$data");
                        for (var i = 0; i < repeat.Count; i++)
                        {
                            var expanded = Expand(template, scope with { Data = repeat[i], Index = i });
                            if (!ReferenceEquals(expanded, Dropped)) items.Add(expanded);
                        }
                        continue;
                    }
                    var one = Expand(item, scope);
                    if (!ReferenceEquals(one, Dropped)) items.Add(one);
                }
                return items;
            case JsonValue value when value.TryGetValue<string>(out var s):
                return Interpolate(s, scope);
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>A "$data"/"$when" value: an expression string, or literal JSON.</summary>
    private static JsonNode? Evaluate(JsonNode? spec, Scope scope) =>
        spec is JsonValue v && v.TryGetValue<string>(out var s) ? Interpolate(s, scope) : Expand(spec, scope);

    private static JsonNode? Interpolate(string text, Scope scope)
    {
        var start = text.IndexOf("${", StringComparison.Ordinal);
        if (start < 0) return JsonValue.Create(text);
        var end = FindClose(text, start + 2);
        if (start == 0 && end == text.Length - 1)
            return Clone(new Expression(text[2..end], scope).Parse());

        var sb = new StringBuilder();
        var pos = 0;
        while (start >= 0)
        {
            end = FindClose(text, start + 2);
            sb.Append(text, pos, start - pos);
            sb.Append(ToText(new Expression(text[(start + 2)..end], scope).Parse()));
            pos = end + 1;
            start = text.IndexOf("${", pos, StringComparison.Ordinal);
        }
        sb.Append(text, pos, text.Length - pos);
        return JsonValue.Create(sb.ToString());
    }

    private static int FindClose(string text, int from)
    {
        var depth = 0;
        char? quote = null;
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null) { if (c == quote) quote = null; continue; }
            if (c is '\'' or '"') quote = c;
            else if (c == '{') depth++;
            else if (c == '}') { if (depth == 0) return i; depth--; }
        }
        throw new FormatException($"Unclosed ${{ in \"{text}\".");
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    internal static bool Truthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0 && s != "false",
        JsonValue v when TryNumber(v, out var d) => d != 0,
        _ => true,
    };

    internal static bool TryNumber(JsonValue v, out double d)
    {
        if (v.TryGetValue(out d)) return true;
        if (v.TryGetValue<int>(out var i)) { d = i; return true; }
        if (v.TryGetValue<long>(out var l)) { d = l; return true; }
        if (v.TryGetValue<decimal>(out var m)) { d = (double)m; return true; }
        return false;
    }

    internal static string ToText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when TryNumber(v, out var d) => d.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };

    /// <summary>A small recursive-descent reader of the expression language subset.</summary>
    private sealed class Expression(string source, Scope scope)
    {
        private int _pos;

        public JsonNode? Parse()
        {
            var value = Or();
            SkipSpace();
            if (_pos != source.Length) throw Error("unexpected text");
            return value;
        }

        private JsonNode? Or()
        {
            var left = And();
            while (Take("||")) { var right = And(); left = JsonValue.Create(Truthy(left) || Truthy(right)); }
            return left;
        }

        private JsonNode? And()
        {
            var left = Comparison();
            while (Take("&&")) { var right = Comparison(); left = JsonValue.Create(Truthy(left) && Truthy(right)); }
            return left;
        }

        private JsonNode? Comparison()
        {
            var left = Unary();
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (!Take(op)) continue;
                var right = Unary();
                return JsonValue.Create(Compare(op, left, right));
            }
            return left;
        }

        private static bool Compare(string op, JsonNode? a, JsonNode? b)
        {
            if (op is "==" or "!=") return (JsonNode.DeepEquals(a, b) || ToText(a) == ToText(b) && a is not null && b is not null) == (op == "==");
            int c;
            if (a is JsonValue va && b is JsonValue vb && TryNumber(va, out var da) && TryNumber(vb, out var db)) c = da.CompareTo(db);
            else c = string.CompareOrdinal(ToText(a), ToText(b));
            return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
        }

        private JsonNode? Unary()
        {
            SkipSpace();
            if (Peek() == '!' && (_pos + 1 >= source.Length || source[_pos + 1] != '='))
            {
                _pos++;
                return JsonValue.Create(!Truthy(Unary()));
            }
            return Postfix(Primary());
        }

        private JsonNode? Primary()
        {
            SkipSpace();
            var c = Peek();
            if (c == '(') { _pos++; var v = Or(); Expect(')'); return v; }
            if (c is '\'' or '"') return JsonValue.Create(ReadString());
            if (char.IsDigit(c) || c == '-' ) return ReadNumber();
            var name = ReadIdentifier();
            SkipSpace();
            if (Peek() == '(')
            {
                _pos++;
                var args = new List<JsonNode?>();
                SkipSpace();
                if (Peek() != ')')
                {
                    do args.Add(Or()); while (Take(","));
                }
                Expect(')');
                return Functions.Call(name, args);
            }
            return name switch
            {
                "true" => JsonValue.Create(true),
                "false" => JsonValue.Create(false),
                "null" => null,
                "$root" => scope.Root,
                "$data" => scope.Data,
                "$index" => JsonValue.Create(scope.Index),
                _ => scope.Data is JsonObject o ? o[name] : null,
            };
        }

        private JsonNode? Postfix(JsonNode? value)
        {
            while (true)
            {
                SkipSpace();
                if (Peek() == '.')
                {
                    _pos++;
                    var name = ReadIdentifier();
                    value = value is JsonObject o ? o[name] : null;
                }
                else if (Peek() == '[')
                {
                    _pos++;
                    var key = Or();
                    Expect(']');
                    value = value switch
                    {
                        JsonArray a when key is JsonValue k && TryNumber(k, out var i) && i >= 0 && i < a.Count => a[(int)i],
                        JsonObject o => o[ToText(key)],
                        _ => null,
                    };
                }
                else return value;
            }
        }

        private string ReadIdentifier()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < source.Length && (char.IsLetterOrDigit(source[_pos]) || source[_pos] is '_' or '$')) _pos++;
            if (start == _pos) throw Error("expected a name");
            return source[start.._pos];
        }

        private string ReadString()
        {
            var quote = source[_pos++];
            var sb = new StringBuilder();
            while (_pos < source.Length && source[_pos] != quote) sb.Append(source[_pos++]);
            Expect(quote);
            return sb.ToString();
        }

        private JsonNode ReadNumber()
        {
            var start = _pos;
            if (Peek() == '-') _pos++;
            while (_pos < source.Length && (char.IsDigit(source[_pos]) || source[_pos] == '.')) _pos++;
            return JsonValue.Create(double.Parse(source[start.._pos], CultureInfo.InvariantCulture));
        }

        private bool Take(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(source, _pos, token, 0, token.Length) != 0) return false;
            _pos += token.Length;
            return true;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Error($"expected '{c}'");
            _pos++;
        }

        private char Peek() => _pos < source.Length ? source[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < source.Length && char.IsWhiteSpace(source[_pos])) _pos++;
        }

        private FormatException Error(string what) => new($"Card expression \"{source}\": {what} at {_pos}.");
    }

    private static class Functions
    {
        public static JsonNode? Call(string name, List<JsonNode?> a) => name switch
        {
            "if" => Truthy(Arg(a, 0)) ? Clone(Arg(a, 1)) : Clone(Arg(a, 2)),
            "not" => JsonValue.Create(!Truthy(Arg(a, 0))),
            "equals" => JsonValue.Create(JsonNode.DeepEquals(Arg(a, 0), Arg(a, 1)) || ToText(Arg(a, 0)) == ToText(Arg(a, 1))),
            "count" => JsonValue.Create(Arg(a, 0) switch { JsonArray arr => arr.Count, JsonValue v when v.TryGetValue<string>(out var s) => s.Length, _ => 0 }),
            "empty" => JsonValue.Create(Arg(a, 0) switch { null => true, JsonArray arr => arr.Count == 0, JsonObject o => o.Count == 0, var v => ToText(v).Length == 0 }),
            "exists" => JsonValue.Create(Arg(a, 0) is not null),
            "join" => JsonValue.Create(Arg(a, 0) is JsonArray arr ? string.Join(ToText(Arg(a, 1)), arr.Select(ToText)) : ToText(Arg(a, 0))),
            "concat" => JsonValue.Create(string.Concat(a.Select(ToText))),
            "toUpper" => JsonValue.Create(ToText(Arg(a, 0)).ToUpperInvariant()),
            "toLower" => JsonValue.Create(ToText(Arg(a, 0)).ToLowerInvariant()),
            "string" => JsonValue.Create(ToText(Arg(a, 0))),
            "formatDateTime" => JsonValue.Create(FormatDate(ToText(Arg(a, 0)), a.Count > 1 ? ToText(a[1]) : "yyyy-MM-ddTHH:mm:ss.fffZ")),
            _ => throw new FormatException($"Card function {name}() is not supported by the binder."),
        };

        private static JsonNode? Arg(List<JsonNode?> args, int i) => i < args.Count ? args[i] : null;

        private static string FormatDate(string value, string format)
        {
            if (value.Length == 0) return "";
            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                return d.ToString(format, CultureInfo.InvariantCulture);
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dt)
                ? dt.ToString(format, CultureInfo.InvariantCulture)
                : value;
        }
    }
}

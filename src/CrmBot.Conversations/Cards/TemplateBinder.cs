using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Crm.Diagnostics;

namespace CrmBot.Conversations.Cards;

/// <summary>
/// Expands ${...}, $data and $when in an Adaptive Card template against a data object. A template is compiled once
/// (<see cref="Compile"/>): its expressions are parsed into trees, so binding a card on a turn only evaluates them.
/// Parsing every ${...} again on each bind, and copying a repeated element's template, was a large part of a help turn
/// (docs/decisions/performance.md, finding 32).
/// </summary>
public static class TemplateBinder
{
    internal sealed record Scope(JsonNode? Data, JsonNode? Root, int Index);

    private static readonly JsonNode Dropped = JsonValue.Create("\u0000dropped")!;

    /// <summary>Compiles and binds in one go; for a template bound once.</summary>
    public static JsonObject Bind(JsonObject template, JsonNode? data) => Compile(template).Bind(data);

    /// <summary>
    /// The template with its expressions parsed; a malformed expression or an unknown function is a
    /// <see cref="FormatException"/> here, wherever in the template it sits.
    /// </summary>
    public static CompiledTemplate Compile(JsonObject template) => new(CompileNode(template)!);

    /// <summary>A template ready to bind: immutable, so one instance serves concurrent turns.</summary>
    public sealed class CompiledTemplate
    {
        private readonly Part _root;

        internal CompiledTemplate(Part root) => _root = root;

        public JsonObject Bind(JsonNode? data)
        {
            using var _ = CrmBotTelemetry.Stage(CrmBotTelemetry.Stages.Render, "bind");
            return _root.Produce(new Scope(data, data, 0)) as JsonObject ?? throw new InvalidOperationException("A card template must bind to an object.");
        }
    }

    /// <summary>A piece of the template that produces a fresh node (or <see cref="Dropped"/>) for a scope.</summary>
    internal abstract class Part
    {
        public abstract JsonNode? Produce(Scope scope);
    }

    private static Part? CompileNode(JsonNode? node) => node switch
    {
        JsonObject obj => CompileObject(obj),
        JsonArray array => new ArrayPart(array.Select(CompileItem).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var s) => CompileText(s),
        null => null,
        _ => new LiteralPart(node),
    };

    private static ObjectPart CompileObject(JsonObject obj, bool withoutData = false)
    {
        var data = !withoutData && obj.TryGetPropertyValue("$data", out var d) ? CompileSpec(d) : null;
        var when = obj.TryGetPropertyValue("$when", out var w) ? CompileSpec(w) : null;
        var properties = obj.Where(p => p.Key is not ("$data" or "$when")).Select(p => (p.Key, CompileNode(p.Value))).ToArray();
        return new ObjectPart(data, when, properties);
    }

    /// <summary>An array element with a $data repeats once per element when $data comes out as an array.</summary>
    private static ItemPart CompileItem(JsonNode? item) =>
        item is JsonObject o && o.TryGetPropertyValue("$data", out var spec)
            ? new ItemPart(CompileObject(o, withoutData: true), CompileSpec(spec))
            : new ItemPart(CompileNode(item), null);

    /// <summary>A "$data"/"$when" value: an expression string, or literal JSON.</summary>
    private static Part? CompileSpec(JsonNode? spec) =>
        spec is JsonValue v && v.TryGetValue<string>(out var s) ? CompileText(s) : CompileNode(spec);

    private static Part CompileText(string text)
    {
        var start = text.IndexOf("${", StringComparison.Ordinal);
        if (start < 0) return new TextPart(text);
        if (start == 0 && FindClose(text, 2) == text.Length - 1) return new ExpressionPart(new Parser(text[2..^1]).Parse());

        var segments = new List<(string Text, Expr? Expression)>();
        var pos = 0;
        while (start >= 0)
        {
            var end = FindClose(text, start + 2);
            if (start > pos) segments.Add((text[pos..start], null));
            segments.Add(("", new Parser(text[(start + 2)..end]).Parse()));
            pos = end + 1;
            start = text.IndexOf("${", pos, StringComparison.Ordinal);
        }
        if (pos < text.Length) segments.Add((text[pos..], null));
        return new InterpolationPart(segments.ToArray());
    }

    private static JsonNode? Produce(Part? part, Scope scope) => part is null ? null : part.Produce(scope);

    private sealed class ObjectPart(Part? data, Part? when, (string Key, Part? Value)[] properties) : Part
    {
        public override JsonNode? Produce(Scope scope)
        {
            if (data is not null) scope = scope with { Data = data.Produce(scope) };
            if (when is not null && !Truthy(when.Produce(scope))) return Dropped;
            var copy = new JsonObject();
            foreach (var (key, value) in properties)
            {
                var expanded = TemplateBinder.Produce(value, scope);
                if (!ReferenceEquals(expanded, Dropped)) copy[key] = expanded;
            }
            return copy;
        }
    }

    /// <summary>
    /// An array element. With a <c>Data</c> (its $data, kept apart from <c>Node</c>), <c>Node</c> is produced once per
    /// element when the data is an array, else once with the data as its scope.
    /// </summary>
    private sealed record ItemPart(Part? Node, Part? Data);

    private sealed class ArrayPart(ItemPart[] items) : Part
    {
        public override JsonNode? Produce(Scope scope)
        {
            var result = new JsonArray();
            foreach (var (node, data) in items)
            {
                var itemScope = scope;
                if (data is not null)
                {
                    var value = data.Produce(scope);
                    if (value is JsonArray repeat)
                    {
                        for (var i = 0; i < repeat.Count; i++)
                        {
                            var expanded = node!.Produce(scope with { Data = repeat[i], Index = i });
                            if (!ReferenceEquals(expanded, Dropped)) result.Add(expanded);
                        }
                        continue;
                    }
                    itemScope = scope with { Data = value };
                }
                var one = TemplateBinder.Produce(node, itemScope);
                if (!ReferenceEquals(one, Dropped)) result.Add(one);
            }
            return result;
        }
    }

    /// <summary>A number, true or false as written: each bind gets its own copy, since a node has one parent.</summary>
    private sealed class LiteralPart(JsonNode value) : Part
    {
        public override JsonNode? Produce(Scope scope) => value.DeepClone();
    }

    private sealed class TextPart(string text) : Part
    {
        public override JsonNode? Produce(Scope scope) => JsonValue.Create(text);
    }

    /// <summary>A string that is one ${...} and nothing else keeps the value's JSON type.</summary>
    private sealed class ExpressionPart(Expr expression) : Part
    {
        public override JsonNode? Produce(Scope scope) => Clone(expression.Evaluate(scope));
    }

    private sealed class InterpolationPart((string Text, Expr? Expression)[] segments) : Part
    {
        public override JsonNode? Produce(Scope scope)
        {
            var sb = new StringBuilder();
            foreach (var (text, expression) in segments) sb.Append(expression is null ? text : ToText(expression.Evaluate(scope)));
            return JsonValue.Create(sb.ToString());
        }
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

    /// <summary>A parsed expression. Every operand is evaluated, as the binder always did: none has side effects.</summary>
    private abstract class Expr
    {
        public abstract JsonNode? Evaluate(Scope scope);
    }

    private sealed class OrExpr(Expr[] operands) : Expr
    {
        public override JsonNode? Evaluate(Scope scope)
        {
            var any = false;
            foreach (var operand in operands) any |= Truthy(operand.Evaluate(scope));
            return JsonValue.Create(any);
        }
    }

    private sealed class AndExpr(Expr[] operands) : Expr
    {
        public override JsonNode? Evaluate(Scope scope)
        {
            var all = true;
            foreach (var operand in operands) all &= Truthy(operand.Evaluate(scope));
            return JsonValue.Create(all);
        }
    }

    private sealed class CompareExpr(string op, Expr left, Expr right) : Expr
    {
        public override JsonNode? Evaluate(Scope scope) => JsonValue.Create(Compare(op, left.Evaluate(scope), right.Evaluate(scope)));

        private static bool Compare(string op, JsonNode? a, JsonNode? b)
        {
            if (op is "==" or "!=") return (JsonNode.DeepEquals(a, b) || ToText(a) == ToText(b) && a is not null && b is not null) == (op == "==");
            int c;
            if (a is JsonValue va && b is JsonValue vb && TryNumber(va, out var da) && TryNumber(vb, out var db)) c = da.CompareTo(db);
            else c = string.CompareOrdinal(ToText(a), ToText(b));
            return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
        }
    }

    private sealed class NotExpr(Expr operand) : Expr
    {
        public override JsonNode? Evaluate(Scope scope) => JsonValue.Create(!Truthy(operand.Evaluate(scope)));
    }

    /// <summary>A string, number, true or false written in the expression: a new node each time, as it may be placed in the card.</summary>
    private sealed class ConstantExpr(Func<JsonNode?> create) : Expr
    {
        public override JsonNode? Evaluate(Scope scope) => create();
    }

    private sealed class NameExpr(string name) : Expr
    {
        public override JsonNode? Evaluate(Scope scope) => name switch
        {
            "$root" => scope.Root,
            "$data" => scope.Data,
            "$index" => JsonValue.Create(scope.Index),
            _ => scope.Data is JsonObject o ? o[name] : null,
        };
    }

    private sealed class MemberExpr(Expr target, string name) : Expr
    {
        public override JsonNode? Evaluate(Scope scope) => target.Evaluate(scope) is JsonObject o ? o[name] : null;
    }

    private sealed class IndexExpr(Expr target, Expr key) : Expr
    {
        public override JsonNode? Evaluate(Scope scope)
        {
            var value = target.Evaluate(scope);
            var k = key.Evaluate(scope);
            return value switch
            {
                JsonArray a when k is JsonValue kv && TryNumber(kv, out var i) && i >= 0 && i < a.Count => a[(int)i],
                JsonObject o => o[ToText(k)],
                _ => null,
            };
        }
    }

    private sealed class CallExpr(Func<List<JsonNode?>, JsonNode?> function, Expr[] args) : Expr
    {
        public override JsonNode? Evaluate(Scope scope)
        {
            var values = new List<JsonNode?>(args.Length);
            foreach (var arg in args) values.Add(arg.Evaluate(scope));
            return function(values);
        }
    }

    /// <summary>A small recursive-descent reader of the expression language subset.</summary>
    private sealed class Parser(string source)
    {
        private static readonly string[] Comparisons = ["==", "!=", "<=", ">=", "<", ">"];

        private int _pos;

        public Expr Parse()
        {
            var value = Or();
            SkipSpace();
            if (_pos != source.Length) throw Error("unexpected text");
            return value;
        }

        private Expr Or()
        {
            var operands = new List<Expr> { And() };
            while (Take("||")) operands.Add(And());
            return operands.Count == 1 ? operands[0] : new OrExpr(operands.ToArray());
        }

        private Expr And()
        {
            var operands = new List<Expr> { Comparison() };
            while (Take("&&")) operands.Add(Comparison());
            return operands.Count == 1 ? operands[0] : new AndExpr(operands.ToArray());
        }

        private Expr Comparison()
        {
            var left = Unary();
            foreach (var op in Comparisons)
            {
                if (Take(op)) return new CompareExpr(op, left, Unary());
            }
            return left;
        }

        private Expr Unary()
        {
            SkipSpace();
            if (Peek() == '!' && (_pos + 1 >= source.Length || source[_pos + 1] != '='))
            {
                _pos++;
                return new NotExpr(Unary());
            }
            return Postfix(Primary());
        }

        private Expr Primary()
        {
            SkipSpace();
            var c = Peek();
            if (c == '(') { _pos++; var v = Or(); Expect(')'); return v; }
            if (c is '\'' or '"')
            {
                var text = ReadString();
                return new ConstantExpr(() => JsonValue.Create(text));
            }
            if (char.IsDigit(c) || c == '-' ) return ReadNumber();
            var name = ReadIdentifier();
            SkipSpace();
            if (Peek() == '(')
            {
                if (!Functions.ByName.TryGetValue(name, out var function))
                    throw new FormatException($"Card function {name}() is not supported by the binder.");
                _pos++;
                var args = new List<Expr>();
                SkipSpace();
                if (Peek() != ')')
                {
                    do args.Add(Or()); while (Take(","));
                }
                Expect(')');
                return new CallExpr(function, args.ToArray());
            }
            return name switch
            {
                "true" => new ConstantExpr(() => JsonValue.Create(true)),
                "false" => new ConstantExpr(() => JsonValue.Create(false)),
                "null" => new ConstantExpr(() => null),
                _ => new NameExpr(name),
            };
        }

        private Expr Postfix(Expr value)
        {
            while (true)
            {
                SkipSpace();
                if (Peek() == '.')
                {
                    _pos++;
                    value = new MemberExpr(value, ReadIdentifier());
                }
                else if (Peek() == '[')
                {
                    _pos++;
                    var key = Or();
                    Expect(']');
                    value = new IndexExpr(value, key);
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

        private Expr ReadNumber()
        {
            var start = _pos;
            if (Peek() == '-') _pos++;
            while (_pos < source.Length && (char.IsDigit(source[_pos]) || source[_pos] == '.')) _pos++;
            var number = double.Parse(source[start.._pos], CultureInfo.InvariantCulture);
            return new ConstantExpr(() => JsonValue.Create(number));
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
        /// <summary>The functions the binder knows, by name: a call to any other fails when the template is compiled.</summary>
        public static readonly Dictionary<string, Func<List<JsonNode?>, JsonNode?>> ByName = new(StringComparer.Ordinal)
        {
            ["if"] = a => Truthy(Arg(a, 0)) ? Clone(Arg(a, 1)) : Clone(Arg(a, 2)),
            ["not"] = a => JsonValue.Create(!Truthy(Arg(a, 0))),
            ["equals"] = a => JsonValue.Create(JsonNode.DeepEquals(Arg(a, 0), Arg(a, 1)) || ToText(Arg(a, 0)) == ToText(Arg(a, 1))),
            ["count"] = a => JsonValue.Create(Arg(a, 0) switch { JsonArray arr => arr.Count, JsonValue v when v.TryGetValue<string>(out var s) => s.Length, _ => 0 }),
            ["empty"] = a => JsonValue.Create(Arg(a, 0) switch { null => true, JsonArray arr => arr.Count == 0, JsonObject o => o.Count == 0, var v => ToText(v).Length == 0 }),
            ["exists"] = a => JsonValue.Create(Arg(a, 0) is not null),
            ["join"] = a => JsonValue.Create(Arg(a, 0) is JsonArray arr ? string.Join(ToText(Arg(a, 1)), arr.Select(ToText)) : ToText(Arg(a, 0))),
            ["concat"] = a => JsonValue.Create(string.Concat(a.Select(ToText))),
            ["toUpper"] = a => JsonValue.Create(ToText(Arg(a, 0)).ToUpperInvariant()),
            ["toLower"] = a => JsonValue.Create(ToText(Arg(a, 0)).ToLowerInvariant()),
            ["string"] = a => JsonValue.Create(ToText(Arg(a, 0))),
            ["formatDateTime"] = a => JsonValue.Create(FormatDate(ToText(Arg(a, 0)), a.Count > 1 ? ToText(a[1]) : "yyyy-MM-ddTHH:mm:ss.fffZ")),
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

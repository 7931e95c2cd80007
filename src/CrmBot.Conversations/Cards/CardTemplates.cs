using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrmBot.Conversations.Cards;

/// <summary>
/// The card templates in cards/ (copied next to the binaries) and the binder: the subset of
/// Adaptive Card Templating we use (see README). Templates are read and compiled once, on first use, and cached.
/// </summary>
public sealed class CardTemplates
{
    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly ConcurrentDictionary<string, TemplateBinder.CompiledTemplate> _templates = new();

    public CardTemplates() : this(DefaultDirectory) { }

    public CardTemplates(string directory) => Directory = directory;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "cards");

    public string Directory { get; }

    /// <summary>Binds <paramref name="data"/> (any object, serialized camelCase, or a JsonNode) to the template.</summary>
    public JsonObject Bind(string cardName, object? data)
    {
        var template = _templates.GetOrAdd(cardName, Load);
        var node = data as JsonNode ?? JsonSerializer.SerializeToNode(data, DataJson);
        return template.Bind(node);
    }

    private TemplateBinder.CompiledTemplate Load(string cardName)
    {
        var path = Path.Combine(Directory, cardName + ".json");
        if (!File.Exists(path)) throw new InvalidOperationException($"Card template {cardName} not found at {path}.");
        var template = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new InvalidOperationException($"Card template {cardName} is empty.");
        return TemplateBinder.Compile(template);
    }
}

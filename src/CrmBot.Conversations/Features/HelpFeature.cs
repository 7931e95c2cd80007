using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Conversations.Features;

/// <summary>The help card: every feature's commands, so a new feature shows up in it by itself.</summary>
public sealed class HelpFeature(Recognizer recognizer, IServiceProvider services) : BuiltInFeature(recognizer)
{
    public const string HelpVerb = "help";

    protected override IReadOnlyCollection<Intent> Intents { get; } = [Intent.Help];

    public override IReadOnlyCollection<string> Verbs { get; } = [HelpVerb];

    public override IEnumerable<HelpEntry> Help { get; } = [new("help", "This list")];

    protected override Task HandleAsync(TurnContext context, Recognition.Recognition recognized, CancellationToken ct)
    {
        ReplyHelp(context, services.GetServices<IChatFeature>(), $"Hi {context.Member.DisplayName}! Here's what I can do:");
        return Task.CompletedTask;
    }

    public override Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        ReplyHelp(context, services.GetServices<IChatFeature>(), null);
        return Task.CompletedTask;
    }

    /// <summary>The help card; <paramref name="greeting"/> says why it is shown ("I didn't understand …").</summary>
    public static void ReplyHelp(TurnContext context, IEnumerable<IChatFeature> features, string? greeting)
    {
        var commands = features.SelectMany(f => f.Help).Where(h => !h.AdminOnly || context.IsAdmin)
            .Select(h => new { usage = h.Usage, description = h.Description }).ToList();
        var fallback = (greeting is null ? "" : greeting + "\n") + string.Join("\n", commands.Select(c => $"• {c.usage} — {c.description}"));
        context.ReplyCard(CardNames.Help, new
        {
            greeting,
            example = "log call with Jane Doe: discussed renewal pricing, follow up next Tuesday",
            commands,
        }, fallback);
    }
}

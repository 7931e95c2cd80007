using System.Text.Json.Nodes;

namespace CrmBot.Conversations.Dialogs;

public enum PromptKind { Text = 0, Choice = 1, Date = 2, Confirm = 3 }

/// <summary>One option of a choice prompt. The answer is its <paramref name="Value"/>.</summary>
public sealed record Choice(string Value, string Label);

/// <summary>A card shown instead of the prompt's text (a picker); its buttons answer with the <see cref="Prompts.AnswerVerb"/>.</summary>
public sealed record PromptCard(string CardName, JsonObject Data, string FallbackText);

/// <summary>
/// A question a waterfall step asks; the next step receives the validated answer. Serialized with
/// the dialog state, so the question outlives the process that asked it.
/// </summary>
public sealed record Prompt(PromptKind Kind, string Text, IReadOnlyList<Choice>? Choices = null, string? RetryText = null, PromptCard? Card = null)
{
    public static Prompt ForText(string text, string? retry = null) => new(PromptKind.Text, text, RetryText: retry);
    public static Prompt ForChoice(string text, IReadOnlyList<Choice> choices, PromptCard? card = null, string? retry = null) => new(PromptKind.Choice, text, choices, retry, card);
    public static Prompt ForDate(string text, string? retry = null) => new(PromptKind.Date, text, RetryText: retry);
    public static Prompt ForConfirm(string text, string? retry = null) => new(PromptKind.Confirm, text, RetryText: retry);
}

/// <summary>A validated answer: exactly one of the typed fields is set, matching the prompt's kind.</summary>
public sealed record PromptAnswer(string Text, string? Choice = null, DateOnly? Date = null, bool? Confirmed = null);

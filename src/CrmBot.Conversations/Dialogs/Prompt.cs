using System.Text.Json.Nodes;

namespace CrmBot.Conversations.Dialogs;

public enum PromptKind { Text = 0, Choice = 1, Date = 2, Confirm = 3 }

/// <summary>One option of a choice prompt. The answer is its <paramref name="Value"/>.</summary>
public sealed record Choice(string Value, string Label);

/// <summary>A card shown instead of the prompt's text (a picker); its buttons answer with the <see cref="Prompts.AnswerVerb"/>.</summary>
public sealed record PromptCard(string CardName, JsonObject Data, string FallbackText);

/// <summary>What a text question expects, so that an answer is checked before a step stores it.</summary>
public enum PromptExpect
{
    /// <summary>Anything typed.</summary>
    Any = 0,
    /// <summary>A contact's or deal's name: a message that is no name (a sentence, a number) is asked again.</summary>
    Name = 1,
    /// <summary>Free text that is stored as typed (notes, a close reason): what reads like a command is confirmed first.</summary>
    FreeText = 2,
}

/// <summary>
/// A question a waterfall step asks; the next step receives the validated answer. Serialized with
/// the dialog state, so the question outlives the process that asked it. <paramref name="Subject"/> names
/// the question in a reply that leaves it ("Left the question about the notes for the call with Jane Doe").
/// </summary>
public sealed record Prompt(PromptKind Kind, string Text, IReadOnlyList<Choice>? Choices = null, string? RetryText = null, PromptCard? Card = null,
    PromptExpect Expect = PromptExpect.Any, string? Subject = null)
{
    public static Prompt ForText(string text, string? retry = null) => new(PromptKind.Text, text, RetryText: retry);
    public static Prompt ForName(string text, string subject) => new(PromptKind.Text, text, Expect: PromptExpect.Name, Subject: subject);
    public static Prompt ForFreeText(string text, string subject) => new(PromptKind.Text, text, Expect: PromptExpect.FreeText, Subject: subject);
    public static Prompt ForChoice(string text, IReadOnlyList<Choice> choices, PromptCard? card = null, string? retry = null, string? subject = null) =>
        new(PromptKind.Choice, text, choices, retry, card, Subject: subject);
    public static Prompt ForDate(string text, string? retry = null, string? subject = null) => new(PromptKind.Date, text, RetryText: retry, Subject: subject);
    public static Prompt ForConfirm(string text, string? retry = null, string? subject = null) => new(PromptKind.Confirm, text, RetryText: retry, Subject: subject);
}

/// <summary>A validated answer: exactly one of the typed fields is set, matching the prompt's kind.</summary>
public sealed record PromptAnswer(string Text, string? Choice = null, DateOnly? Date = null, bool? Confirmed = null);

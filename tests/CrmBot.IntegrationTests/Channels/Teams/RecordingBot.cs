using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrmBot.Conversations;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// A stand-in engine for the protocol tests: records the turns it is given and answers by rule, so a
/// test can see exactly what the channel made of an activity and what it did with each kind of reply.
/// </summary>
public sealed class RecordingBot : IBot
{
    private readonly ConcurrentQueue<Turn> _turns = new();
    private TaskCompletionSource _gate = NewGate();

    public IReadOnlyList<Turn> Turns => _turns.ToArray();
    public Turn? TurnFor(string turnId) => _turns.FirstOrDefault(t => t.TurnId == turnId);

    /// <summary>"wait" turns block until this is called.</summary>
    public void Release()
    {
        _gate.TrySetResult();
        _gate = NewGate();
    }

    public static JsonObject Card(string text) => new()
    {
        ["type"] = "AdaptiveCard",
        ["version"] = "1.5",
        ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = text }),
    };

    public async Task<IReadOnlyList<Reply>> OnTurnAsync(Turn turn, CancellationToken cancellationToken)
    {
        _turns.Enqueue(turn);
        if (turn.Verb == "done")
            return [new CardReply("test", Card("done " + turn.Value?["followUpId"]), "Done", ReplacesSource: true), new TextReply("Marked done.")];
        switch (turn.Text)
        {
            case "card":
                return [new CardReply("test", Card("a card"), "A card")];
            case "invalid":
                return [new FieldErrorsReply(new Dictionary<string, string> { ["due"] = "Not a date." }, "Please fix the form.")];
            case "wait":
                await _gate.Task.WaitAsync(cancellationToken);
                return [new TextReply("finally")];
            case "fail":
                throw new InvalidOperationException("engine failure");
            default:
                return [new TextReply("echo: " + turn.Text)];
        }
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

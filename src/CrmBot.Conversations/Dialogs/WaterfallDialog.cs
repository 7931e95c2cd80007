using System.Text.Json;
using CrmBot.Conversations.Engine;

namespace CrmBot.Conversations.Dialogs;

/// <summary>One step of a waterfall: look at the state and the last answer, then say what happens next.</summary>
public delegate Task<StepResult> WaterfallStep<TState>(StepContext<TState> step, CancellationToken cancellationToken);

/// <summary>
/// Steps run in order. A step either moves on (<see cref="StepContext{TState}.Next"/>), jumps
/// (<see cref="StepContext{TState}.GoTo"/>), asks (<see cref="StepContext{TState}.Ask"/>: the turn ends,
/// the state is saved, and the next step receives the answer in a later turn, possibly on another
/// instance) or ends. <typeparamref name="TState"/> is serialized as JSON between turns, so keep it
/// to plain data.
/// </summary>
public abstract class WaterfallDialog<TState> : Dialog where TState : class, new()
{
    private const int MaxStepsPerTurn = 32;

    protected abstract IReadOnlyList<WaterfallStep<TState>> Steps { get; }

    /// <summary>The state a flow starts with; options are whatever the starter passed.</summary>
    protected virtual TState CreateState(object? options) => options as TState ?? new TState();

    internal override Task<bool> BeginAsync(TurnContext context, ActiveDialog active, object? options, CancellationToken ct)
    {
        active.Step = 0;
        return RunAsync(context, active, CreateState(options), null, ct);
    }

    internal override Task<bool> ContinueAsync(TurnContext context, ActiveDialog active, PromptAnswer answer, CancellationToken ct)
    {
        var state = active.State?.Deserialize<TState>(DialogJson.Options) ?? new TState();
        return RunAsync(context, active, state, answer, ct);
    }

    private async Task<bool> RunAsync(TurnContext context, ActiveDialog active, TState state, PromptAnswer? answer, CancellationToken ct)
    {
        var steps = Steps;
        var index = active.Step;
        for (var guard = 0; guard < MaxStepsPerTurn && index < steps.Count; guard++)
        {
            var result = await steps[index](new StepContext<TState>(context, state, answer), ct);
            answer = null;
            switch (result.Kind)
            {
                case StepResultKind.Next: index++; break;
                case StepResultKind.GoTo: index = result.Target; break;
                case StepResultKind.End: return false;
                case StepResultKind.Ask:
                    active.Step = index + 1;
                    active.Prompt = result.Prompt;
                    active.Misses = 0;
                    active.State = JsonSerializer.SerializeToNode(state, DialogJson.Options);
                    context.SendPrompt(result.Prompt!, active.Flow);
                    return true;
            }
        }
        if (index < steps.Count) throw new InvalidOperationException($"Dialog {Name} ran {MaxStepsPerTurn} steps in one turn.");
        return false;
    }
}

internal enum StepResultKind { Next, GoTo, Ask, End }

/// <summary>What a step decided. Made by <see cref="StepContext{TState}"/>.</summary>
public sealed class StepResult
{
    internal StepResult(StepResultKind kind, int target = 0, Prompt? prompt = null) => (Kind, Target, Prompt) = (kind, target, prompt);
    internal StepResultKind Kind { get; }
    internal int Target { get; }
    internal Prompt? Prompt { get; }
}

public sealed class StepContext<TState>(TurnContext context, TState state, PromptAnswer? answer)
{
    public TurnContext Context { get; } = context;
    public TState State { get; } = state;
    /// <summary>The answer to the question the previous step asked; null when that step did not ask.</summary>
    public PromptAnswer? Answer { get; } = answer;

    public StepResult Next() => new(StepResultKind.Next);
    public StepResult GoTo(int step) => new(StepResultKind.GoTo, step);
    public StepResult Ask(Prompt prompt) => new(StepResultKind.Ask, prompt: prompt);
    public StepResult End() => new(StepResultKind.End);
}

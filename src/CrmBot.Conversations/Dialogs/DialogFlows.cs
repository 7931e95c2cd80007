using CrmBot.Conversations.Engine;

namespace CrmBot.Conversations.Dialogs;

/// <summary>The flow of the current conversation + member during one turn; the engine loads and saves it.</summary>
internal sealed class DialogFlows(IEnumerable<Dialog> dialogs)
{
    public ActiveDialog? Active { get; set; }

    public string? ActiveName => Active?.Name;

    public Dialog Find(string name) =>
        dialogs.FirstOrDefault(d => d.Name == name) ?? throw new InvalidOperationException($"No dialog named {name} is registered.");

    public async Task BeginAsync(TurnContext context, Type type, object? options, CancellationToken ct)
    {
        var dialog = dialogs.FirstOrDefault(d => d.GetType() == type)
            ?? throw new InvalidOperationException($"{type.Name} is not registered: call services.AddDialog<{type.Name}>().");
        var active = new ActiveDialog { Name = dialog.Name, Flow = Guid.NewGuid().ToString("N")[..12] };
        Active = active;
        var waiting = await dialog.BeginAsync(context, active, options, ct);
        if (!waiting && ReferenceEquals(Active, active)) Active = null;
    }

    public async Task ContinueAsync(TurnContext context, PromptAnswer answer, CancellationToken ct)
    {
        var active = Active ?? throw new InvalidOperationException("No flow to continue.");
        active.Prompt = null;
        var waiting = await Find(active.Name).ContinueAsync(context, active, answer, ct);
        if (!waiting && ReferenceEquals(Active, active)) Active = null;
    }

    public void End() => Active = null;
}

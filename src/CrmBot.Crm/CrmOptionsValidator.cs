using CrmBot.Crm.Text;
using Microsoft.Extensions.Options;

namespace CrmBot.Crm;

/// <summary>
/// Refuses a pipeline the services could not work with: every name and synonym must point to one
/// stage, and there must be somewhere to work a deal (an open stage) and to close it (won and lost).
/// </summary>
internal sealed class CrmOptionsValidator : IValidateOptions<CrmOptions>
{
    public ValidateOptionsResult Validate(string? name, CrmOptions options)
    {
        var errors = new List<string>();
        var stages = options.Pipeline;
        foreach (var twice in stages.GroupBy(s => TextFold.Fold(s.Name)).Where(g => g.Key.Length > 0 && g.Count() > 1))
            errors.Add($"Crm:Stages: the stage '{twice.First().Name}' is listed {twice.Count()} times.");

        var owner = new Dictionary<string, string>();
        foreach (var stage in stages)
        {
            if (string.IsNullOrWhiteSpace(stage.Name))
            {
                errors.Add("Crm:Stages: every stage needs a Name.");
                continue;
            }
            if (stage.IsWon && !stage.IsClosed) errors.Add($"Crm:Stages: '{stage.Name}' is won, so it must also be closed (IsClosed: true).");
            if (stage.Probability is { } p)
            {
                if (p is < 0m or > 1m) errors.Add($"Crm:Stages: '{stage.Name}' has Probability {p}; it must be between 0 and 1.");
                else if (stage.IsClosed && stage.IsWon && p != 1m) errors.Add($"Crm:Stages: '{stage.Name}' is closed won, so its Probability must be 1.");
                else if (stage.IsClosed && !stage.IsWon && p != 0m) errors.Add($"Crm:Stages: '{stage.Name}' is closed lost, so its Probability must be 0.");
            }
            foreach (var word in stage.Synonyms.Prepend(stage.Name))
            {
                var key = TextFold.Fold(word);
                if (key.Length == 0) continue;
                if (owner.TryGetValue(key, out var other) && !string.Equals(other, stage.Name, StringComparison.Ordinal))
                    errors.Add($"Crm:Stages: '{word}' names both '{other}' and '{stage.Name}'.");
                owner[key] = stage.Name;
            }
        }
        if (!stages.Any(s => !s.IsClosed)) errors.Add("Crm:Stages needs at least one open stage (IsClosed: false).");
        if (!stages.Any(s => s.IsClosed && s.IsWon)) errors.Add("Crm:Stages needs a closed won stage (IsClosed: true, IsWon: true).");
        if (!stages.Any(s => s.IsClosed && !s.IsWon)) errors.Add("Crm:Stages needs a closed lost stage (IsClosed: true, IsWon: false).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;

namespace CrmBot.Conversations.Surveys;

/// <summary>`adoption`: how the CRM is used, for admins (everyone) and managers (their own team).</summary>
public sealed class AdoptionFeature(AdoptionService adoption) : IChatFeature
{
    public IReadOnlyCollection<string> Verbs { get; } = [];

    public IEnumerable<HelpEntry> Help { get; } =
        [new("adoption", "Active members, activities, on-time follow-ups, data completeness, command use (7/30/90 days)", AdminOnly: true)];

    public FeatureClaim? Claim(Utterance u) =>
        u.StartsWith("adoption") || u.StartsWith("usage") ? new FeatureClaim("adoption") : null;

    public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
    {
        if (context.Member.Role == MemberRole.Rep)
        {
            context.ReplyText("Adoption figures are for admins, and for managers about their own team.");
            return;
        }
        context.ReplyText(Render(await adoption.ReportAsync(context.Member, ct)));
    }

    public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;

    /// <summary>A fixed-width table, one column per period: readable in every channel, the terminal included.</summary>
    public static string Render(AdoptionReport report)
    {
        var periods = report.Periods;
        var text = new StringBuilder($"Adoption for {report.Scope} ({periods[0].Members} members), UTC days up to {periods[0].To:yyyy-MM-dd}:\n```\n");
        void Row(string label, Func<AdoptionPeriod, string> value) =>
            text.Append(label.PadRight(34)).AppendJoin("", periods.Select(p => value(p).PadLeft(10))).Append('\n');
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        static string P(double? v) => v is { } x ? x.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "–";

        Row("", p => $"{p.Days} days");
        Row("active members per day (avg)", p => N(p.ActivePerDay));
        Row("active members per week (avg)", p => N(p.ActivePerWeek));
        Row("active in the period", p => p.ActiveInPeriod.ToString(CultureInfo.InvariantCulture));
        Row("seen in the period", p => p.SeenInPeriod.ToString(CultureInfo.InvariantCulture));
        Row("activities logged", p => p.ActivitiesLogged.ToString(CultureInfo.InvariantCulture));
        Row("activities per member per week", p => N(p.ActivitiesPerMemberPerWeek));
        Row("follow-ups done on time", p => $"{P(p.FollowUpsOnTimePercent)} of {p.FollowUpsDue}");
        Row("new contacts with email + phone", p => $"{P(p.ContactsCompletePercent)} of {p.ContactsAdded}");
        text.Append("\nrecorded changes by command\n");
        var labels = periods.SelectMany(p => p.Commands.Select(c => c.Label)).Distinct()
            .OrderByDescending(l => periods[^1].Commands.FirstOrDefault(c => c.Label == l)?.Count ?? 0).ThenBy(l => l, StringComparer.Ordinal);
        foreach (var label in labels)
            Row("  " + label, p => (p.Commands.FirstOrDefault(c => c.Label == label)?.Count ?? 0).ToString(CultureInfo.InvariantCulture));
        text.Append("```\nActive = made a recorded change (a log, a follow-up done, a stage move…) that day; " +
            "seen = wrote to the bot at least once. Reading commands (today, summary, help) change nothing and are not counted.");
        return text.ToString();
    }
}

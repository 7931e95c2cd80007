using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Engine;
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

    /// <summary>
    /// A fixed-width table, one column per period: readable in every channel, the terminal included.
    /// Each column is as wide as its widest value, and columns keep two spaces between them.
    /// </summary>
    public static string Render(AdoptionReport report)
    {
        var members = report.Members == 1 ? "1 member" : $"{report.Members.ToString(CultureInfo.InvariantCulture)} members";
        if (report.Withheld)
            return $"Adoption for {report.Scope} ({members}): team figures are shown for teams of at least {report.MinimumMembers} members, " +
                "so that they cannot single anyone out. They appear here as soon as the team is that large.";

        var periods = report.Periods;
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        static string P(double? v) => v is { } x ? x.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "–";
        static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

        var rows = new List<(string Label, string[] Values)>();
        void Row(string label, Func<AdoptionPeriod, string> value) => rows.Add((label, periods.Select(value).ToArray()));
        Row("", p => $"{p.Days} days");
        Row("active members per day (avg)", p => N(p.ActivePerDay));
        Row("active members per week (avg)", p => N(p.ActivePerWeek));
        Row("active in the period", p => I(p.ActiveInPeriod));
        Row("seen in the period", p => I(p.SeenInPeriod));
        Row("activities logged", p => I(p.ActivitiesLogged));
        Row("activities per member per week", p => N(p.ActivitiesPerMemberPerWeek));
        Row("follow-ups done on time", p => $"{P(p.FollowUpsOnTimePercent)} of {I(p.FollowUpsDue)}");
        Row("new contacts with email + phone", p => $"{P(p.ContactsCompletePercent)} of {I(p.ContactsAdded)}");
        var commandsAt = rows.Count;
        var labels = periods.SelectMany(p => p.Commands.Select(c => c.Label)).Distinct()
            .OrderByDescending(l => periods[^1].Commands.FirstOrDefault(c => c.Label == l)?.Count ?? 0).ThenBy(l => l, StringComparer.Ordinal);
        foreach (var label in labels)
            Row("  " + label, p => I(p.Commands.FirstOrDefault(c => c.Label == label)?.Count ?? 0));

        var labelWidth = rows.Max(r => r.Label.Length);
        var widths = Enumerable.Range(0, periods.Count).Select(i => rows.Max(r => r.Values[i].Length)).ToArray();
        var text = new StringBuilder($"Adoption for {report.Scope} ({members}), UTC days up to {periods[0].To:yyyy-MM-dd}:\n```\n");
        for (var r = 0; r < rows.Count; r++)
        {
            if (r == commandsAt) text.Append("\nrecorded changes by command\n");
            text.Append(rows[r].Label.PadRight(labelWidth));
            for (var i = 0; i < widths.Length; i++)
                text.Append("  ").Append(rows[r].Values[i].PadLeft(widths[i]));
            text.Append('\n');
        }
        text.Append("```\nActive = did CRM work that day: logged an activity, created or completed a follow-up, added or moved a deal, " +
            "added or edited a contact. Installing the app or a name refreshed by the chat does not count. " +
            "Seen = wrote to the bot at least once. Reading commands (today, summary, help) change nothing and are not counted.");
        return text.ToString();
    }
}

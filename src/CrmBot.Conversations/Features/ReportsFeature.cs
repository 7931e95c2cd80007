using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Surveys;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Conversations.Features;

/// <summary>What a report command asked for: which report, whose figures (null: the role's default), which period.</summary>
/// <param name="Owner">A member's name as typed ("pipeline for Rob", "Rob's pipeline").</param>
/// <param name="Days">"stale deals 30 days": how long a deal must have been left alone (stale deals only).</param>
public sealed record ReportRequest(string Report, ReportAudience? Audience, string? Owner, ReportPeriod? Period, int? Days = null);

/// <summary>
/// The reports in chat: `pipeline`, `win rate`, `forecast`, `sales cycle`, `conversion`, `stale deals`, `team activity`,
/// with whose figures (`my`, `team`, `everyone's`, `for Rob`) and a
/// period (`this quarter`, `last quarter`, `this month`, `2026-01-01..2026-03-31`) in any order. Who sees what is
/// <see cref="ReportAccess"/>'s decision; a refusal is answered with its sentence. Each report is one entry in
/// <see cref="Reports"/> and one card in cards/.
/// </summary>
public sealed partial class ReportsFeature(PipelineReports pipelineReports, TeamReports teamReports, ReportAccess access, MemberService members,
    CrmDbContext db) : IChatFeature
{
    /// <summary>One report: the words that name it (each word allowed one typo), and what answers it.</summary>
    /// <param name="TeamPhrases">Words that name it only with a "whose" ("my team's deals"): alone they are another command.</param>
    private sealed record ChatReport(string Name, string[][] Phrases, string[][] TeamPhrases,
        Func<ReportsFeature, TurnContext, ReportView, ReportRequest, CancellationToken, Task> AnswerAsync);

    private static readonly ChatReport[] Reports =
    [
        // Before the pipeline: "stale deals" would otherwise be read as the pipeline's "deals".
        new("stale deals", [["stale", "deals"], ["idle", "deals"], ["deals", "idle"], ["quiet", "deals"]], [], (f, c, v, r, ct) => f.StaleDealsAsync(c, v, r.Days ?? 14, ct)),
        new("team activity", [["team", "activity"], ["team", "activities"], ["rep", "activity"], ["reps", "activity"]], [["activity"]],
            (f, c, v, r, ct) => f.TeamActivityAsync(c, v, r.Period, ct)),
        new("pipeline", [["pipeline"], ["pipe"]], [["deals"], ["opportunities"], ["opps"]], (f, c, v, r, ct) => f.PipelineAsync(c, v, r.Period, ct)),
        new("win rate", [["win", "rate"], ["win", "rates"], ["winrate"], ["win", "ratio"]], [], (f, c, v, r, ct) => f.WinRateAsync(c, v, r.Period, ct)),
        new("forecast", [["forecast"], ["forecasts"]], [], (f, c, v, r, ct) => f.ForecastAsync(c, v, r.Period, ct)),
        new("sales cycle", [["sales", "cycle"], ["sales", "cycles"], ["sale", "cycle"]], [], (f, c, v, r, ct) => f.SalesCycleAsync(c, v, r.Period, ct)),
        new("conversion", [["conversion", "rate"], ["conversion", "rates"], ["conversion"], ["conversions"]], [], (f, c, v, r, ct) => f.ConversionAsync(c, v, r.Period, ct)),
    ];

    /// <summary>Words a report command may carry that change nothing ("how does the pipeline look?").</summary>
    private static readonly HashSet<string> Fillers =
        ["how", "does", "do", "did", "is", "are", "the", "look", "looks", "looking", "like", "show", "me", "what", "whats", "s",
         "our", "of", "please", "pls", "get", "see", "view", "give", "current", "open", "report", "a", "whole", "in", "us", "all"];

    private static readonly HashSet<string> EveryoneWords = ["everyone", "everyones", "everybody", "everybodys", "company"];

    private static readonly (string[] Words, Func<DateOnly, ReportPeriod> Period)[] Periods =
    [
        (["this", "quarter"], ReportPeriod.ThisQuarter),
        (["last", "quarter"], ReportPeriod.LastQuarter),
        (["this", "month"], ReportPeriod.ThisMonth),
        (["next", "quarter"], ReportPeriod.NextQuarter),
    ];

    /// <summary>How many stale deals a card lists; the rest are counted ("and 12 more").</summary>
    private const int StalePage = 10;

    public IReadOnlyCollection<string> Verbs { get; } = [];

    public IEnumerable<HelpEntry> Help { get; } =
    [
        new("pipeline · pipeline this quarter · my team's deals · pipeline for Jane Doe", "Open deals by stage: count, amount, weighted (yours, your team's or everyone's by role)"),
        new("win rate · win rate last quarter", "Deals won and lost in a period, by count and amount, with the top loss reasons"),
        new("forecast · forecast next quarter · team forecast this month", "Open deals expected to close in a period (committed, best case, weighted) beside what closed won"),
        new("sales cycle · sales cycle last quarter", "Median days from creation to close, and median days deals stay in each stage"),
        new("conversion · conversion this quarter", "The share of deals that moved on from each stage, and of new deals how many were won"),
        new("stale deals · stale deals 30 days · my team's stale deals", "Open deals nobody touched in 14 (or N) days, with buttons to log or follow up"),
        new("team activity · team activity last quarter", "Activities logged per rep per week, and follow-ups done on time"),
    ];

    public FeatureClaim? Claim(Utterance u) => Read(u) is { } request ? new FeatureClaim(request.Report, 1.0, Data: request) : null;

    /// <summary>
    /// The report, whose, and when; null unless every word is understood, so notes that mention the pipeline
    /// ("called Jane re pipeline") stay a log.
    /// </summary>
    public static ReportRequest? Read(Utterance u)
    {
        var words = u.Words.ToList();
        if (words.Count == 0 || words.Count > 12) return null;
        // "Rob's pipeline": folding drops the apostrophe, so the owner is read from the text as typed.
        string? owner = null;
        if (Possessive().Match(u.Text) is { Success: true } possessive
            && TextFold.Fold(possessive.Groups["name"].Value).Split(' ') is var named
            && named.All(w => w.Length > 0 && !Fillers.Contains(w) && !EveryoneWords.Contains(w) && w is not ("my" or "team" or "your" or "our")))
        {
            owner = string.Join(' ', named);
            words = TextFold.Fold(possessive.Groups["rest"].Value).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        ReportPeriod? period = null;
        if (DateRange().Match(u.Text) is { Success: true } range)
        {
            period = ReportPeriod.Parse($"{range.Groups["from"].Value}..{range.Groups["to"].Value}", u.Today);
            if (period is null) return null;
            words.RemoveAll(w => w.All(char.IsAsciiDigit) || w == "to");
        }

        int? days = null;
        if (DaysAt(words) is var (daysAt, daysWords, n) and (>= 0, _, _))
        {
            days = n;
            words.RemoveRange(daysAt, daysWords);
        }

        foreach (var (phrase, read) in Periods)
            if (Find(words, phrase, exact: true) is var at and >= 0)
            {
                if (period is not null) return null;
                period = read(u.Today);
                words.RemoveRange(at, phrase.Length);
            }

        ChatReport? report = null;
        var weak = false;
        foreach (var candidate in Reports)
        {
            foreach (var (phrase, isWeak) in candidate.Phrases.Select(p => (p, false)).Concat(candidate.TeamPhrases.Select(p => (p, true))))
                if (Find(words, phrase, exact: false) is var at and >= 0)
                {
                    (report, weak) = (candidate, isWeak);
                    words.RemoveRange(at, phrase.Length);
                    break;
                }
            if (report is not null) break;
        }
        if (report is null) return null;

        ReportAudience? audience = owner is null ? null : ReportAudience.Owner;
        var forAt = words.IndexOf("for");
        if (forAt >= 0 && owner is null)
        {
            var name = words.Skip(forAt + 1).Where(w => !Fillers.Contains(w)).ToList();
            words.RemoveRange(forAt, words.Count - forAt);
            if (name is ["me"] or ["myself"] or []) audience = ReportAudience.Mine;
            else if (name is ["my", "team"] or ["the", "team"] or ["team"] or ["my", "team", "s"]) audience = ReportAudience.Team;
            else if (name.Count == 1 && EveryoneWords.Contains(name[0])) audience = ReportAudience.Everyone;
            else (audience, owner) = (ReportAudience.Owner, string.Join(' ', name));
        }
        foreach (var w in words)
        {
            if (Fillers.Contains(w)) continue;
            if (Fuzzy.SameWord(w, "team") || w is "teams") audience = MoreThan(audience, ReportAudience.Team);
            else if (EveryoneWords.Contains(w) || Fuzzy.SameWord(w, "everyone")) audience = MoreThan(audience, ReportAudience.Everyone);
            else if (w is "my" or "mine" or "i" or "own") audience ??= ReportAudience.Mine;
            else return null;
        }
        // "deals" alone is the rep's own list (DealFeature's `my deals`); with a "whose" beyond their own, the pipeline.
        if (weak && audience is null or ReportAudience.Mine) return null;
        // Days belong to stale deals only, and a period does not.
        if (report.Name == "stale deals" ? period is not null : days is not null) return null;
        return new ReportRequest(report.Name, audience, owner, period, days);
    }

    /// <summary>"30 days", "for 30 days", "in 30 days": where it starts, how many words, the number; -1 if absent.</summary>
    private static (int At, int Count, int Days) DaysAt(List<string> words)
    {
        for (var i = 0; i + 1 < words.Count; i++)
            if (words[i + 1] is "days" or "day" or "d" && words[i].Length <= 4 && words[i].All(char.IsAsciiDigit))
            {
                var n = int.Parse(words[i], CultureInfo.InvariantCulture);
                return i > 0 && words[i - 1] is "for" or "in" or "over" ? (i - 1, 3, n) : (i, 2, n);
            }
        return (-1, 0, 0);
    }

    private static ReportAudience? MoreThan(ReportAudience? current, ReportAudience asked) =>
        current is ReportAudience.Owner ? current : asked == ReportAudience.Everyone || current != ReportAudience.Everyone ? asked : current;

    private static int Find(List<string> words, string[] phrase, bool exact)
    {
        for (var i = 0; i + phrase.Length <= words.Count; i++)
        {
            var all = true;
            for (var j = 0; j < phrase.Length && all; j++)
                all = exact ? words[i + j] == phrase[j] : Fuzzy.SameWord(words[i + j], phrase[j]);
            if (all) return i;
        }
        return -1;
    }

    public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
    {
        var request = (ReportRequest)claim.Data!;
        Member? owner = null;
        if (request.Owner is { } name)
        {
            var matches = await members.MatchAsync(name, ct);
            if (matches.Count != 1)
            {
                context.ReplyText(matches.Count == 0
                    ? $"No member is called “{name}”. Members appear once they have written to the bot."
                    : $"“{name}” could be {string.Join(", ", matches.Take(5).Select(m => m.DisplayName))}: use the full name.");
                return;
            }
            owner = matches[0];
        }
        ReportView view;
        try
        {
            view = await access.ViewAsync(context.Member, request.Audience, owner, ct);
        }
        catch (NotAllowedException refused)
        {
            context.ReplyText(refused.Message);
            return;
        }
        if (request.Days is < 1)
        {
            context.ReplyText("Give the days as a whole number, at least 1: e.g. “stale deals 30 days”.");
            return;
        }
        await Reports.Single(r => r.Name == request.Report).AnswerAsync(this, context, view, request, ct);
    }

    public Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct) => Task.CompletedTask;

    /// <summary>"your team", "everyone", "Rob Rep's deals": whose figures a card shows.</summary>
    private static string Whose(ReportView view) => view.Audience switch
    {
        ReportAudience.Mine => "your deals",
        ReportAudience.Team => "your team",
        ReportAudience.Everyone => "everyone",
        _ => $"{view.Owner?.DisplayName}'s deals",
    };

    /// <summary>"this quarter (2026-10-01 to 2026-12-31)"; explicit dates only once.</summary>
    private static string Described(ReportPeriod p)
    {
        var dates = $"{CardData.Iso(p.From)} to {CardData.Iso(p.To)}";
        return p.Label == dates ? dates : $"{p.Label} ({dates})";
    }

    private static string Deals(int n) => n == 1 ? "1 deal" : $"{n.ToString(CultureInfo.InvariantCulture)} deals";

    private async Task PipelineAsync(TurnContext context, ReportView view, ReportPeriod? period, CancellationToken ct)
    {
        var report = await pipelineReports.PipelineAsync(view.Scope, period, ct);
        var subtitle = "Open deals" + (period is null ? "" : $" expected to close {Described(period)}");
        // A chart per currency: amounts in different currencies are never added up.
        var currencies = report.Totals.Select(total =>
        {
            var stages = report.Stages.Select(s => (s.Stage, s.Probability, Total: s.Totals.FirstOrDefault(t => t.Currency == total.Currency)
                ?? new CurrencyTotal(total.Currency, 0, 0, 0))).ToList();
            return new
            {
                currency = total.Currency,
                heading = $"{total.Currency}: {Deals(total.Count)}, {CardData.Money(total.Amount, total.Currency)}, weighted {CardData.Money(total.Weighted, total.Currency)}",
                chartTitle = $"Open amount by stage ({total.Currency})",
                bars = stages.Select(s => new { x = s.Stage, y = s.Total.Amount }).ToList(),
                lines = CardData.TextBars(stages.Select(s => (s.Stage, s.Total.Amount, $"{CardData.Money(s.Total.Amount, total.Currency)} ({s.Total.Count})")).ToList()),
                facts = stages.Select(s => new
                {
                    title = $"{s.Stage} ({CardData.Percent(s.Probability)})",
                    value = s.Total.Count == 0 ? "none"
                        : $"{Deals(s.Total.Count)} · {CardData.Money(s.Total.Amount, total.Currency)} · weighted {CardData.Money(s.Total.Weighted, total.Currency)}",
                }).ToList(),
            };
        }).ToList();
        var title = $"Pipeline: {Whose(view)}";
        var fallback = $"{title}\n{subtitle}\n" + (currencies.Count == 0 ? "No open deals."
            : string.Join("\n", currencies.Select(c => c.heading + "\n" + string.Join("\n", c.lines))));
        context.ReplyCard(CardNames.ReportPipeline, new { title, subtitle, emptyText = currencies.Count == 0 ? "No open deals." : null, currencies }, fallback);
    }

    private async Task WinRateAsync(TurnContext context, ReportView view, ReportPeriod? period, CancellationToken ct)
    {
        period ??= ReportPeriod.ThisQuarter(context.Today);
        var report = await pipelineReports.WinRateAsync(view.Scope, period, context.TimeZone, ct);
        var currencies = report.ByCurrency.Select(r => new
        {
            currency = r.Currency,
            heading = $"{r.Currency}: {CardData.Percent(r.RateByAmount)} by amount",
            chartTitle = $"Won and lost ({r.Currency})",
            slices = new[] { new { legend = "Won", value = r.WonAmount }, new { legend = "Lost", value = r.LostAmount } },
            lines = CardData.TextBars([
                ("Won", r.WonAmount, $"{CardData.Money(r.WonAmount, r.Currency)} ({r.Won})"),
                ("Lost", r.LostAmount, $"{CardData.Money(r.LostAmount, r.Currency)} ({r.Lost})")]),
            facts = new[]
            {
                new { title = "Won", value = $"{Deals(r.Won)} · {CardData.Money(r.WonAmount, r.Currency)}" },
                new { title = "Lost", value = $"{Deals(r.Lost)} · {CardData.Money(r.LostAmount, r.Currency)}" },
                new { title = "Win rate", value = $"{CardData.Percent(r.RateByCount)} by count · {CardData.Percent(r.RateByAmount)} by amount" },
            },
        }).ToList();
        var reasons = report.TopLossReasons.Count == 0 ? null : new
        {
            bars = report.TopLossReasons.Select(r => new { x = r.Reason, y = r.Count }).ToList(),
            lines = CardData.TextBars(report.TopLossReasons.Select(r => (r.Reason, (decimal)r.Count, r.Count.ToString(CultureInfo.InvariantCulture))).ToList()),
            facts = report.TopLossReasons.Select(r => new { title = r.Reason, value = Deals(r.Count) }).ToList(),
        };
        var title = $"Win rate: {Whose(view)}";
        var subtitle = $"Deals closed {Described(period)}";
        var overall = report.Won + report.Lost == 0 ? null
            : $"{CardData.Percent(report.RateByCount)} by count: {report.Won.ToString(CultureInfo.InvariantCulture)} won, {report.Lost.ToString(CultureInfo.InvariantCulture)} lost";
        var fallback = $"{title}\n{subtitle}\n" + (overall is null ? "No deal was won or lost in this period."
            : overall + "\n" + string.Join("\n", currencies.Select(c => c.heading + "\n" + string.Join("\n", c.lines)))
              + (reasons is null ? "" : "\nTop loss reasons:\n" + string.Join("\n", reasons.lines)));
        context.ReplyCard(CardNames.ReportWinRate, new
        {
            title, subtitle, overall,
            emptyText = overall is null ? "No deal was won or lost in this period." : null,
            currencies, reasons,
        }, fallback);
    }

    private async Task StaleDealsAsync(TurnContext context, ReportView view, int days, CancellationToken ct)
    {
        var report = await teamReports.StaleDealsAsync(view.Scope, days, StalePage, ct);
        // The buttons log with, or follow up on, the deal's contact: read for the listed deals only.
        var ids = report.Deals.Select(d => d.DealId).ToList();
        var contacts = await db.Deals.AsNoTracking().Where(d => ids.Contains(d.Id) && d.ContactId != null)
            .Select(d => new { d.Id, d.ContactId, Name = d.Contact!.FirstName + " " + d.Contact.LastName })
            .ToDictionaryAsync(d => d.Id, ct);
        var followUpDue = CardData.Iso(context.Today.AddDays(7));
        var deals = report.Deals.Select(d =>
        {
            var contact = contacts.GetValueOrDefault(d.DealId);
            var touched = $"{CardData.Iso(CardData.LocalDate(d.LastTouch, context.TimeZone))} ({(d.LastTouchKind == DealTouch.Activity ? "activity" : "stage change")})";
            return new
            {
                dealId = d.DealId,
                name = d.Name,
                contactId = contact?.ContactId,
                contact = contact?.Name.Trim(),
                followUpTitle = $"Follow up on {d.Name}",
                followUpDue,
                facts = new[]
                {
                    new { title = "Owner", value = d.Owner ?? "(no owner)" },
                    new { title = "Stage", value = d.Stage },
                    new { title = "Amount", value = CardData.Money(d.Amount, d.Currency) },
                    new { title = "Idle", value = DaysText(d.DaysIdle) },
                    new { title = "Last touch", value = touched },
                },
                text = $"{d.Name} · {d.Owner ?? "(no owner)"} · {d.Stage} · {CardData.Money(d.Amount, d.Currency)} · idle {DaysText(d.DaysIdle)} · last touch {touched}",
            };
        }).ToList();
        var title = $"Stale deals: {Whose(view)}";
        var subtitle = report.Total == 0 ? $"No open deal has gone {DaysText(days)} without an activity or a stage change."
            : $"{Deals(report.Total)} with no activity or stage change in {DaysText(days)}, oldest touch first";
        var chart = deals.Count == 0 ? null : new
        {
            bars = report.Deals.Select(d => new { x = d.Name, y = d.DaysIdle }).ToList(),
            lines = CardData.TextBars(report.Deals.Select(d => (d.Name, (decimal)d.DaysIdle, DaysText(d.DaysIdle))).ToList()),
        };
        var more = report.Total > deals.Count ? $"and {(report.Total - deals.Count).ToString(CultureInfo.InvariantCulture)} more: `report stale-deals` on the command line lists them all" : null;
        var fallback = $"{title}\n{subtitle}" + string.Concat(deals.Select(d => "\n" + d.text)) + (more is null ? "" : "\n" + more);
        context.ReplyCard(CardNames.ReportStaleDeals, new { title, subtitle, chart, deals, more }, fallback);
    }

    private static string DaysText(int n) => n == 1 ? "1 day" : $"{n.ToString(CultureInfo.InvariantCulture)} days";

    private async Task TeamActivityAsync(TurnContext context, ReportView view, ReportPeriod? period, CancellationToken ct)
    {
        period ??= ReportPeriod.ThisMonth(context.Today);
        var report = await teamReports.TeamActivityAsync(view.Scope, view.ShowsPerPerson, period, context.TimeZone, ct);
        static string Week(double n) => n.ToString("0.##", CultureInfo.InvariantCulture);
        static string OnTime(int onTime, int due, double? rate) => due == 0 ? "none due"
            : $"{onTime.ToString(CultureInfo.InvariantCulture)} of {due.ToString(CultureInfo.InvariantCulture)} on time ({CardData.Percent((decimal?)rate)})";
        var reps = report.PerRep.Count == 0 ? null : new
        {
            bars = report.PerRep.Select(r => new { x = r.Name, y = r.PerWeek }).ToList(),
            lines = CardData.TextBars(report.PerRep.Select(r => (r.Name, (decimal)r.PerWeek, $"{Week(r.PerWeek)}/week ({r.Activities.ToString(CultureInfo.InvariantCulture)})")).ToList()),
            facts = report.PerRep.Select(r => new
            {
                title = r.Name,
                value = $"{Activities(r.Activities)} · {Week(r.PerWeek)} a week · follow-ups {OnTime(r.FollowUpsOnTime, r.FollowUpsDue, r.OnTimeRate)}",
            }).ToList(),
        };
        // A rep's "team" is themself: the heading says so rather than promising a team.
        var title = view.Audience == ReportAudience.Mine ? "Activity: yours" : $"Team activity: {Whose(view)}";
        var subtitle = $"Activities logged {Described(period)}";
        var totals = new[]
        {
            new { title = "Activities", value = $"{Activities(report.Activities)} · {Week(report.PerWeek)} a week" },
            new { title = "Per rep", value = $"{Week(report.PerRepPerWeek)} a week ({report.Reps.ToString(CultureInfo.InvariantCulture)} {(report.Reps == 1 ? "rep" : "reps")})" },
            new { title = "Follow-ups", value = OnTime(report.FollowUpsOnTime, report.FollowUpsDue, report.OnTimeRate) },
        };
        var withheld = report.PerPersonWithheld
            ? $"Figures per rep are withheld: they show for teams of at least {report.MinimumMembers.ToString(CultureInfo.InvariantCulture)} members."
            : null;
        var fallback = $"{title}\n{subtitle}\n" + string.Join("\n", totals.Select(t => $"{t.title}: {t.value}"))
            + (reps is null ? "" : "\n" + string.Join("\n", reps.facts.Select(f => $"{f.title}: {f.value}")))
            + (withheld is null ? "" : "\n" + withheld);
        context.ReplyCard(CardNames.ReportTeamActivity, new { title, subtitle, totals, reps, withheld }, fallback);
    }

    private static string Activities(int n) => n == 1 ? "1 activity" : $"{n.ToString(CultureInfo.InvariantCulture)} activities";

    [GeneratedRegex(@"^\s*(?<name>[^'’\s][^'’]*?)['’]s\s+(?<rest>.+)$")]
    private static partial Regex Possessive();

    [GeneratedRegex(@"(?<from>\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|–|—)\s*(?<to>\d{4}-\d{2}-\d{2})")]
    private static partial Regex DateRange();
}

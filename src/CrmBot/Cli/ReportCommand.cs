using System.CommandLine;
using System.Globalization;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Surveys;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CrmBot.Cli;

/// <summary>
/// `report pipeline|win-rate|forecast|sales-cycle|conversion|stale-deals|team-activity`: the reports in a terminal, as a table or CSV.
/// The operator sees everyone's deals; with --as the report is the one that member would get: a rep their own, a
/// manager also their team's, an admin everyone's. Periods are read in UTC, or in the --as member's time zone.
/// </summary>
internal static class ReportCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var command = new Command("report", "Pipeline reports: open deals by stage, win rate, forecast, sales cycle, conversion.");
        command.Subcommands.Add(PipelineCommand());
        command.Subcommands.Add(WinRateCommand());
        command.Subcommands.Add(ForecastCommand());
        command.Subcommands.Add(SalesCycleCommand());
        command.Subcommands.Add(ConversionCommand());
        command.Subcommands.Add(StaleDealsCommand());
        command.Subcommands.Add(TeamActivityCommand());
        return command;
    }

    private static Option<string?> ScopeOption()
    {
        var scope = new Option<string?>("--scope")
        {
            Description = "Whose deals: me, team (a manager's team and the manager) or everyone. Default: everyone, or what --as's role sees.",
        };
        scope.AcceptOnlyFromAmong("me", "team", "everyone");
        return scope;
    }

    private static Option<string?> AsOption() =>
        new("--as") { Description = "See the report as this member (number, e-mail, user id or unambiguous name)." };

    private static Option<bool> CsvOption() => new("--csv") { Description = "Print CSV instead of a table." };

    private static Command PipelineCommand()
    {
        var (scope, viewer, csv) = (ScopeOption(), AsOption(), CsvOption());
        var expected = new Option<string?>("--expected-close")
        {
            Description = "Only deals expected to close in this period: this month, this quarter, last quarter or yyyy-MM-dd..yyyy-MM-dd.",
        };
        var pipeline = new Command("pipeline", "Open deals by stage: count, amount and amount weighted by the stage's probability, per currency.")
        {
            scope, viewer, expected, csv,
        };
        pipeline.SetAction((parse, ct) => CliHost.RunAsync(writes: false, async services =>
        {
            var view = await ViewAsync(services, parse.GetValue(viewer), parse.GetValue(scope), ct);
            if (view.Scope is null) return view.Exit;
            ReportPeriod? period = null;
            if (parse.GetValue(expected) is { } text && (period = Period(services, text, view.Zone)) is null) return 2;
            var report = await services.GetRequiredService<PipelineReports>().PipelineAsync(view.Scope!, period, ct);
            if (parse.GetValue(csv))
            {
                Csv(["stage", "probability", "currency", "deals", "amount", "weighted"],
                    report.Stages.SelectMany(s => s.Totals.Select(t => new[] { s.Stage, Number(s.Probability), t.Currency, Count(t.Count), Number(t.Amount), Number(t.Weighted) })));
                return 0;
            }
            Console.WriteLine($"Open deals, {view.Label}{(period is null ? "" : $", expected to close {Described(period)}")}:");
            var rows = new List<string[]>();
            foreach (var stage in report.Stages)
            {
                if (stage.Totals.Count == 0) rows.Add([stage.Stage, Percent(stage.Probability), "", "0", "", ""]);
                foreach (var t in stage.Totals)
                    rows.Add([stage.Stage, Percent(stage.Probability), t.Currency, Count(t.Count), Money(t.Amount), Money(t.Weighted)]);
            }
            foreach (var t in report.Totals)
                rows.Add(["Total", "", t.Currency, Count(t.Count), Money(t.Amount), Money(t.Weighted)]);
            TextTable.Write(["Stage", "Probability", "Currency", "Deals", "Amount", "Weighted"], rows);
            return 0;
        }, ct));
        return pipeline;
    }

    private static Command WinRateCommand() => PeriodReportCommand("win-rate", "Deals closed in a period: won / (won + lost) by count and by amount per currency, and the top loss reasons.",
        async (services, view, period, csv, ct) =>
        {
            var report = await services.GetRequiredService<PipelineReports>().WinRateAsync(view.Scope!, period, view.Zone, ct);
            if (csv)
            {
                Csv(["currency", "won", "lost", "won_amount", "lost_amount", "win_rate_by_count", "win_rate_by_amount"],
                    report.ByCurrency.Select(r => new[]
                    {
                        r.Currency, Count(r.Won), Count(r.Lost), Number(r.WonAmount), Number(r.LostAmount), Number(r.RateByCount), Number(r.RateByAmount),
                    }));
                return;
            }
            Console.WriteLine($"Win rate, {view.Label}, closed {Described(period)}:");
            if (report.ByCurrency.Count == 0)
            {
                Console.WriteLine("No deal was won or lost in this period.");
                return;
            }
            var rows = report.ByCurrency.Select(r => new[]
            {
                r.Currency, Count(r.Won), Count(r.Lost), Money(r.WonAmount), Money(r.LostAmount), Percent(r.RateByCount), Percent(r.RateByAmount),
            }).ToList();
            rows.Add(["All", Count(report.Won), Count(report.Lost), "", "", Percent(report.RateByCount), ""]);
            TextTable.Write(["Currency", "Won", "Lost", "Won amount", "Lost amount", "Rate (count)", "Rate (amount)"], rows);
            if (report.TopLossReasons.Count > 0)
                Console.WriteLine("Top loss reasons: " + string.Join(", ", report.TopLossReasons.Select(r => $"{r.Reason} ({Count(r.Count)})")));
        });

    private static Argument<string[]> PeriodArgument(string byDefault) => new("period")
    {
        Description = $"this month, last month, this quarter, last quarter, next quarter, this year or yyyy-MM-dd..yyyy-MM-dd (default: {byDefault}).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>
    /// A report over a period: whose (--scope, --as), which period (<paramref name="byDefault"/> when none is given),
    /// CSV or table; <paramref name="run"/> writes the figures.
    /// </summary>
    private static Command PeriodReportCommand(string name, string description,
        Func<IServiceProvider, View, ReportPeriod, bool, CancellationToken, Task> run, string byDefault = "this quarter")
    {
        var (scope, viewer, csv, periodArgument) = (ScopeOption(), AsOption(), CsvOption(), PeriodArgument(byDefault));
        var command = new Command(name, description) { periodArgument, scope, viewer, csv };
        command.SetAction((parse, ct) => CliHost.RunAsync(writes: false, async services =>
        {
            var view = await ViewAsync(services, parse.GetValue(viewer), parse.GetValue(scope), ct);
            if (view.Scope is null) return view.Exit;
            var words = parse.GetValue(periodArgument) ?? [];
            if (Period(services, words.Length == 0 ? byDefault : string.Join(' ', words), view.Zone) is not { } period) return 2;
            await run(services, view, period, parse.GetValue(csv), ct);
            return 0;
        }, ct));
        return command;
    }

    private static Command ForecastCommand() => PeriodReportCommand("forecast",
        "Open deals expected to close in a period: committed, best case and weighted amounts per currency, beside what was won in it.",
        async (services, view, period, csv, ct) =>
        {
            var report = await services.GetRequiredService<PipelineReports>().ForecastAsync(view.Scope!, period, view.Zone, ct);
            if (csv)
            {
                Csv(["currency", "committed_deals", "committed", "best_case_deals", "best_case", "weighted", "won_deals", "won"],
                    report.ByCurrency.Select(r => new[]
                    {
                        r.Currency, Count(r.CommittedCount), Number(r.Committed), Count(r.BestCaseCount), Number(r.BestCase), Number(r.Weighted),
                        Count(r.WonCount), Number(r.Won),
                    }));
                return;
            }
            Console.WriteLine($"Forecast, {view.Label}, expected to close {Described(period)}:");
            if (report.ByCurrency.Count == 0) Console.WriteLine("No open deal is expected to close in this period, and none was won in it.");
            else
            {
                TextTable.Write(["Currency", "Committed", "Amount", "Best case", "Amount", "Weighted", "Won", "Amount"],
                    report.ByCurrency.Select(r => new[]
                    {
                        r.Currency, Count(r.CommittedCount), Money(r.Committed), Count(r.BestCaseCount), Money(r.BestCase), Money(r.Weighted),
                        Count(r.WonCount), Money(r.Won),
                    }).ToList());
                // Currencies are never summed, so each gets its own chart.
                foreach (var r in report.ByCurrency)
                    Bars(r.Currency, [("Committed", r.Committed), ("Best case", r.BestCase), ("Weighted", r.Weighted), ("Won", r.Won)]);
            }
            Console.WriteLine($"Committed: open stages with a probability of {Percent(PipelineReports.CommittedProbability)} or more.");
            if (report.OpenWithoutExpectedClose > 0)
                Console.WriteLine($"{Count(report.OpenWithoutExpectedClose)} open deal(s) have no expected close and are in no period.");
        });

    private static Command SalesCycleCommand() => PeriodReportCommand("sales-cycle",
        "Deals closed in a period: median days from creation to close (won, lost, all) and median days spent in each stage.",
        async (services, view, period, csv, ct) =>
        {
            var report = await services.GetRequiredService<PipelineReports>().SalesCycleAsync(view.Scope!, period, view.Zone, ct);
            (string Name, MedianDays Median)[] closes = [("won", report.Won), ("lost", report.Lost), ("all", report.All)];
            if (csv)
            {
                Csv(["measure", "name", "count", "median_days"],
                    closes.Select(c => new[] { "close", c.Name, Count(c.Median.Count), Number(c.Median.Days) })
                        .Concat(report.Stages.Select(s => new[] { "stage", s.Stage, Count(s.Median.Count), Number(s.Median.Days) })));
                return;
            }
            Console.WriteLine($"Sales cycle, {view.Label}, closed {Described(period)}:");
            if (report.All.Count == 0)
            {
                Console.WriteLine("No deal was won or lost in this period.");
                return;
            }
            TextTable.Write(["Closed", "Deals", "Median days"],
                closes.Select(c => new[] { Capitalized(c.Name), Count(c.Median.Count), Days(c.Median.Days) }).ToList());
            Console.WriteLine();
            TextTable.Write(["Stage", "Stays", "Median days"],
                report.Stages.Select(s => new[] { s.Stage, Count(s.Median.Count), Days(s.Median.Days) }).ToList());
            Bars("Median days in stage", report.Stages.Select(s => (s.Stage, s.Median.Days ?? 0m)).ToList());
        });

    private static Command ConversionCommand() => PeriodReportCommand("conversion",
        "Of the deals that entered each stage in a period, the share that moved on to a later stage or won; and created to won.",
        async (services, view, period, csv, ct) =>
        {
            var report = await services.GetRequiredService<PipelineReports>().ConversionAsync(view.Scope!, period, view.Zone, ct);
            if (csv)
            {
                Csv(["stage", "entered", "moved_on", "share"],
                    report.Stages.Select(s => new[] { s.Stage, Count(s.Entered), Count(s.MovedOn), Number(s.Share) })
                        .Append(["created to won", Count(report.Created), Count(report.Won), Number(report.Share)]));
                return;
            }
            Console.WriteLine($"Conversion, {view.Label}, entered {Described(period)}:");
            var rows = report.Stages.Select(s => new[] { s.Stage, Count(s.Entered), Count(s.MovedOn), Percent(s.Share) }).ToList();
            rows.Add(["Created to won", Count(report.Created), Count(report.Won), Percent(report.Share)]);
            TextTable.Write(["Stage", "Entered", "Moved on", "Share"], rows);
            Bars("Moved on (%)", report.Stages.Select(s => (s.Stage, (s.Share ?? 0m) * 100)).ToList());
        });

    private static Command StaleDealsCommand()
    {
        var (scope, viewer, csv) = (ScopeOption(), AsOption(), CsvOption());
        var daysOption = new Option<int>("--days") { Description = "Days without an activity or a stage change (default 14).", DefaultValueFactory = _ => 14 };
        var stale = new Command("stale-deals", "Open deals with no activity and no stage change in N days, oldest touch first, with their owners.")
        {
            daysOption, scope, viewer, csv,
        };
        stale.SetAction((parse, ct) => CliHost.RunAsync(writes: false, async services =>
        {
            var days = parse.GetValue(daysOption);
            if (days < 1)
            {
                Console.Error.WriteLine("--days must be a whole number of days, at least 1.");
                return 2;
            }
            var view = await ViewAsync(services, parse.GetValue(viewer), parse.GetValue(scope), ct);
            if (view.Scope is null) return view.Exit;
            // The terminal and a spreadsheet take the whole list; chat shows the first few.
            var report = await services.GetRequiredService<TeamReports>().StaleDealsAsync(view.Scope, days, int.MaxValue, ct);
            string Touched(StaleDeal d) => LocalDay.DateOf(d.LastTouch, view.Zone).ToString("yyyy-MM-dd", Invariant);
            string By(StaleDeal d) => d.LastTouchKind == DealTouch.Activity ? "activity" : "stage change";
            string Close(StaleDeal d) => d.ExpectedClose?.ToString("yyyy-MM-dd", Invariant) ?? "";
            if (parse.GetValue(csv))
            {
                Csv(["deal_id", "deal", "owner", "stage", "amount", "currency", "expected_close", "last_touch", "last_touch_by", "days_idle"],
                    report.Deals.Select(d => new[]
                    {
                        Count(d.DealId), d.Name, d.Owner ?? "", d.Stage, Number(d.Amount), d.Currency, Close(d), Touched(d), By(d), Count(d.DaysIdle),
                    }));
                return 0;
            }
            Console.WriteLine($"Stale deals, {view.Label}: {Count(report.Total)} open with no activity or stage change in {Count(days)} days.");
            if (report.Total == 0) return 0;
            TextTable.Write(["Deal", "Owner", "Stage", "Amount", "Currency", "Expected close", "Last touch", "By", "Days idle"],
                report.Deals.Select(d => new[]
                {
                    d.Name, d.Owner ?? "(no owner)", d.Stage, Money(d.Amount), d.Currency, Close(d), Touched(d), By(d), Count(d.DaysIdle),
                }).ToList());
            return 0;
        }, ct));
        return stale;
    }

    private static Command TeamActivityCommand() => PeriodReportCommand("team-activity", "Per rep: activities logged in a period and per week, and follow-ups due in it done on time; with the totals.",
        async (services, view, period, csv, ct) =>
        {
            var report = await services.GetRequiredService<TeamReports>()
                .TeamActivityAsync(view.Scope!, view.Access?.ShowsPerPerson ?? true, period, view.Zone, ct);
            var withheld = report.PerPersonWithheld
                ? $"Figures per rep are withheld: they show for teams of at least {Count(report.MinimumMembers)} members."
                : null;
            if (csv)
            {
                if (withheld is not null) Console.Error.WriteLine(withheld);
                Csv(["member_id", "rep", "activities", "per_week", "follow_ups_due", "follow_ups_on_time", "on_time_rate"],
                    report.PerRep.Select(r => new[]
                    {
                        Count(r.MemberId), r.Name, Count(r.Activities), Number((decimal)r.PerWeek), Count(r.FollowUpsDue), Count(r.FollowUpsOnTime), Number((decimal?)r.OnTimeRate),
                    }).Append(
                    [
                        "", "Total", Count(report.Activities), Number((decimal)report.PerWeek), Count(report.FollowUpsDue), Count(report.FollowUpsOnTime),
                        Number((decimal?)report.OnTimeRate),
                    ]));
                return;
            }
            // A rep asking for the team's activity gets their own: that is all of it they see.
            Console.WriteLine(view.Access is { Audience: ReportAudience.Mine, Owner: { } me }
                ? $"Activity, {me.DisplayName}'s own, {Described(period)}:"
                : $"Team activity, {view.Label}, {Described(period)}:");
            var rows = report.PerRep.Select(r => new[]
            {
                r.Name, Count(r.Activities), Number((decimal)r.PerWeek), Count(r.FollowUpsDue), Count(r.FollowUpsOnTime), Percent((decimal?)r.OnTimeRate),
            }).ToList();
            rows.Add(["Total", Count(report.Activities), Number((decimal)report.PerWeek), Count(report.FollowUpsDue), Count(report.FollowUpsOnTime),
                Percent((decimal?)report.OnTimeRate)]);
            TextTable.Write(["Rep", "Activities", "Per week", "Follow-ups due", "On time", "On-time rate"], rows);
            if (withheld is not null) Console.WriteLine(withheld);
        }, "this month");

    /// <summary>A text bar chart under a table; the table holds every number, the bars only help the eye.</summary>
    private static void Bars(string title, IReadOnlyList<(string Label, decimal Value)> bars)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        var chart = new BarChart { Width = 60, Culture = Invariant }.Label(Markup.Escape(title)).LeftAlignLabel();
        foreach (var (label, value) in bars) chart.AddItem(Markup.Escape(label), (double)Math.Round(value, 1), Color.Blue);
        Console.WriteLine();
        console.Write(chart);
    }

    /// <summary>
    /// Whose report, as whom; Scope null (with the exit code) after saying why it cannot be. Access is the --as
    /// member's view (null for the operator, who sees everything).
    /// </summary>
    private sealed record View(ReportScope? Scope, string Label, TimeZoneInfo Zone, int Exit = 0, ReportView? Access = null);

    private static async Task<View> ViewAsync(IServiceProvider services, string? who, string? scope, CancellationToken ct)
    {
        if (who is null)
        {
            if (scope is null or "everyone") return new View(ReportScope.Everyone, "everyone", TimeZoneInfo.Utc);
            Console.Error.WriteLine($"--scope {scope} needs --as <member>: whose {(scope == "me" ? "deals" : "team")}?");
            return Refused(2);
        }
        if (await MembersCommand.FindAsync(services, who, ct) is not { } member) return Refused(1);
        ReportAudience? audience = scope switch { null => null, "me" => ReportAudience.Mine, "team" => ReportAudience.Team, _ => ReportAudience.Everyone };
        ReportView view;
        try
        {
            view = await services.GetRequiredService<ReportAccess>().ViewAsync(member, audience, owner: null, ct);
        }
        catch (NotAllowedException)
        {
            Console.Error.WriteLine($"{member.DisplayName} is a {member.Role.ToString().ToLowerInvariant()} and sees "
                + (member.Role == MemberRole.Manager ? "their own and their team's deals (--scope me or team)." : "only their own deals (--scope me)."));
            return Refused(1);
        }
        var zone = LocalDay.Zone(member.TimeZone);
        var label = view.Audience switch
        {
            ReportAudience.Mine => $"{member.DisplayName}'s deals",
            ReportAudience.Team => $"{member.DisplayName}'s team",
            _ => "everyone",
        };
        return new View(view.Scope, label, zone, Access: view);
    }

    private static View Refused(int exit) => new(null, "", TimeZoneInfo.Utc, exit);

    private static ReportPeriod? Period(IServiceProvider services, string text, TimeZoneInfo zone)
    {
        var today = LocalDay.Today(services.GetRequiredService<TimeProvider>(), zone);
        var period = ReportPeriod.Parse(text, today);
        if (period is null)
            Console.Error.WriteLine($"“{text}” is not a period: say this month, last month, this quarter, last quarter, next quarter, this year or 2026-01-01..2026-03-31.");
        return period;
    }

    private static void Csv(string[] header, IEnumerable<string[]> rows)
    {
        // Stage names come from configuration; a spreadsheet must not run one as a formula.
        using var csv = CsvWriter.Create(Console.Out, new CsvWriterOptions { Injection = CsvInjection.Escape }, true);
        csv.WriteRecord(header);
        foreach (var row in rows) csv.WriteRecord(row);
    }

    /// <summary>"this quarter (2026-10-01 to 2026-12-31)"; explicit dates only once.</summary>
    private static string Described(ReportPeriod p)
    {
        var dates = $"{p.From:yyyy-MM-dd} to {p.To:yyyy-MM-dd}";
        return p.Label == dates ? dates : $"{p.Label} ({dates})";
    }

    private static string Days(decimal? days) => days is { } d ? d.ToString("0.0", Invariant) : "-";

    private static string Capitalized(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static string Count(int n) => n.ToString(Invariant);

    private static string Money(decimal amount) => amount.ToString("N2", Invariant);

    private static string Number(decimal? value) => value is { } v ? Math.Round(v, 4).ToString("0.####", Invariant) : "";

    private static string Percent(decimal? value) => value is { } v ? (v * 100).ToString("0.#", Invariant) + "%" : "-";
}

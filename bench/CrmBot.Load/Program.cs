using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrmBot.Bench.Shared;
using CrmBot.Load;

// bench/CrmBot.Load: end-to-end load on the real service, and cold start. See bench/README.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var channelOption = new Option<string[]>("--channel")
{
    Description = "teams, slack (both by default).", DefaultValueFactory = _ => ["teams", "slack"], AllowMultipleArgumentsPerToken = true,
};
var workloadOption = new Option<string[]>("--workload")
{
    Description = "help, log, followups (all by default).", DefaultValueFactory = _ => Workloads.All, AllowMultipleArgumentsPerToken = true,
};
var concurrencyOption = new Option<int[]>("--concurrency")
{
    Description = "Turns in flight at once.", DefaultValueFactory = _ => [16, 64], AllowMultipleArgumentsPerToken = true,
};
var warmupOption = new Option<double>("--warmup") { Description = "Seconds of warm-up per service start.", DefaultValueFactory = _ => 10 };
var durationOption = new Option<double>("--duration") { Description = "Seconds per measured run.", DefaultValueFactory = _ => 20 };
var runsOption = new Option<int>("--runs") { Description = "Measured runs per set; medians are quoted.", DefaultValueFactory = _ => 3 };
var shortOption = new Option<bool>("--short") { Description = "2 s warm-up, one 5 s run: checks the set-up, numbers are rough." };
var storeOption = new Option<string>("--store") { Description = "The generated store (copied for each service start).", DefaultValueFactory = _ => BenchPaths.DefaultStore };
var serviceCpusOption = new Option<string>("--service-cpus") { Description = "taskset CPU list for the service (empty: unpinned).", DefaultValueFactory = _ => "1" };
var loadCpusOption = new Option<string>("--load-cpus") { Description = "taskset CPU list for this tool and the fakes (empty: unpinned).", DefaultValueFactory = _ => "0" };
var noBuildOption = new Option<bool>("--no-build") { Description = "Use the existing Release build of src/CrmBot." };
var setOption = new Option<string[]>("--set")
{
    Description = "Extra service setting, key=value (e.g. Logging:LogLevel:Default=Warning); repeatable.", AllowMultipleArgumentsPerToken = true,
};
var bareOption = new Option<bool>("--bare")
{
    Description = "Measure bench/CrmBot.Bare (read the activity, post one reply) instead of CrmBot: the issue's reference point, on this machine. Teams only.",
};
var serviceLogOption = new Option<string?>("--service-log") { Description = "Write the service's console output to this file." };
var latencyLogOption = new Option<string?>("--latency-log")
{
    Description = "Write every measured turn to this CSV (set, window, seconds into it, reply ms, ack ms): to see whether a tail is spread out or comes in bursts.",
};
var compositeOption = new Option<bool>("--composite")
{
    Description = "Publish self-contained with one composite ReadyToRun image of the app and the framework (finding 28) instead of the shipped framework-dependent build.",
};
var sectionsOption = new Option<bool>("--sections")
{
    Description = "Have the service export its own stage timings (OTLP/HTTP to a receiver in this tool, the standard OTEL_* settings) " +
                  "and print, per set, each stage's count, mean and ms per turn over the measured windows.",
};
var baselineOption = new Option<string?>("--baseline")
{
    Description = "Also publish this git ref (commit, branch, tag) into bench/.data/baseline and measure it side by side with the " +
                  "working tree: load runs alternate their rounds between the two builds, cold starts alternate their starts.",
};
var baselineStoreOption = new Option<string?>("--baseline-store")
{
    Description = "The store the baseline build starts from, when the two builds' schemas differ (generate it with the baseline's " +
                  "own bench/CrmBot.Bench). Default: the same store as this tree's.",
};
var engineOption = new Option<string[]>("--engine")
{
    Description = "sqlite, postgres (sqlite by default); both: side by side in the same run, alternating rounds. PostgreSQL runs on a " +
                  "cluster of this tool's own (fsync on), filled once from the generated store with copy-store.",
    DefaultValueFactory = _ => ["sqlite"], AllowMultipleArgumentsPerToken = true,
};
engineOption.AcceptOnlyFromAmong("sqlite", "postgres");
var instancesOption = new Option<int[]>("--instances")
{
    Description = "Service instances on the PostgreSQL database (1, 2 or both), the turns split between them.",
    DefaultValueFactory = _ => [1], AllowMultipleArgumentsPerToken = true,
};
var startsOption = new Option<int>("--starts") { Description = "Cold starts to measure.", DefaultValueFactory = _ => 5 };

var root = new RootCommand("CrmBot end-to-end load: the real service against loopback fakes of Teams and Slack.")
{
    channelOption, workloadOption, concurrencyOption, warmupOption, durationOption, runsOption, shortOption, storeOption,
    serviceCpusOption, loadCpusOption, noBuildOption, setOption, serviceLogOption, bareOption, compositeOption, latencyLogOption, sectionsOption,
    baselineOption, baselineStoreOption, engineOption, instancesOption,
};
root.SetAction(async (parse, _) =>
{
    ServiceProcess.Bare = parse.GetValue(bareOption);
    if (ServiceProcess.Bare && parse.GetValue(channelOption)!.Any(c => c != "teams"))
    {
        Console.Error.WriteLine("--bare answers Teams activities only: add --channel teams.");
        return 2;
    }
    if (ServiceProcess.Bare && (parse.GetValue(sectionsOption) || parse.GetValue(baselineOption) is not null))
    {
        // Both are about CrmBot's turn: the bare endpoint has no stages and no history to compare with.
        Console.Error.WriteLine("--sections and --baseline measure CrmBot; they do not go with --bare.");
        return 2;
    }
    // Build first, on both cores; then this tool re-runs itself pinned (with --no-build).
    if (!parse.GetValue(noBuildOption) && !Pinning.IsPinned) await BuildAllAsync(parse);
    if (await Pinning.EnsurePinnedAsync(parse.GetValue(loadCpusOption), [.. args, "--no-build"]) is { } code) return code;
    var quick = parse.GetValue(shortOption);
    var warmup = TimeSpan.FromSeconds(quick ? 2 : parse.GetValue(warmupOption));
    var duration = TimeSpan.FromSeconds(quick ? 5 : parse.GetValue(durationOption));
    var runs = quick ? 1 : parse.GetValue(runsOption);
    var template = Path.GetFullPath(parse.GetValue(storeOption)!);
    if (!StoreExists(template)) return 2;
    Console.WriteLine($"load tool on CPUs {Pinning.AllowedCpus(Environment.ProcessId)}; service on {parse.GetValue(serviceCpusOption)}; " +
                      $"warm-up {warmup.TotalSeconds} s, {runs} × {duration.TotalSeconds} s");
    if (parse.GetValue(instancesOption)!.Any(n => n is < 1 or > 2))
    {
        Console.Error.WriteLine("--instances takes 1 and/or 2.");
        return 2;
    }
    var targets = Targets(parse);
    await using var postgres = targets.Any(t => t.Instances > 0) ? await PostgresStore.StartAsync(template, ServiceProcess.ExecutablePath) : null;
    if (postgres is not null)
    {
        Console.WriteLine($"copy-store of the generated store into PostgreSQL: {postgres.CopyTime.TotalSeconds:F1} s");
        ResultRow.AppendJson(new { kind = "copy-store", at = DateTime.UtcNow, seconds = postgres.CopyTime.TotalSeconds });
    }

    var rows = new List<ResultRow>();
    foreach (var channel in parse.GetValue(channelOption)!)
    foreach (var workload in parse.GetValue(workloadOption)!)
    foreach (var concurrency in parse.GetValue(concurrencyOption)!)
    {
        var users = BenchWorld.Users(template, channel == "teams" ? "msteams" : "slack");
        await using ITurnDriver driver = channel == "teams"
            ? await TeamsDriver.StartAsync(users[0].TenantId, concurrency)
            : await SlackDriver.StartAsync(users, concurrency);
        // With a baseline or several engines, each round is one fresh start of each in turn, so all see the same hour of this machine.
        var builds = targets;
        var perBuild = builds.ToDictionary(b => b.Label, _ => (Windows: new List<Window>(), Rss: new List<double>(), Activities: 0L));
        await using var stages = parse.GetValue(sectionsOption) ? await StageTimings.StartAsync() : null;
        foreach (var round in builds.Count == 1 ? new[] { runs } : Enumerable.Repeat(1, runs).ToArray())
        foreach (var (label, executable, instances) in builds)
        {
            // SQLite: a fresh copy of the file. PostgreSQL: a fresh copy of the database, the file's connection string overridden.
            var database = postgres is not null && instances > 0 ? await postgres.FreshDatabaseAsync() : null;
            var store = database is null ? ServiceProcess.FreshStore(TemplateFor(parse, label, template)) : "";
            long CountActivities() => database is null ? BenchWorld.Count(store, "Activities") : PostgresStore.Count(database, "Activities");
            var activitiesBefore = CountActivities();
            var settings = Settings(driver, parse);
            if (stages is not null) foreach (var (key, value) in stages.ServiceSettings) settings[key] = value;
            if (database is not null)
            {
                settings["Database:Provider"] = "Postgres";
                settings["ConnectionStrings:Crm"] = database;
                // Required on PostgreSQL, the same for every instance.
                settings["Feedback:ParticipationKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            }
            Dictionary<string, (ulong, double)>? measuring = null, measured = null;
            List<Window> windows;
            var services = new List<ServiceProcess>();
            try
            {
                for (var i = 0; i < Math.Max(1, instances); i++)
                    services.Add(ServiceProcess.Start(store, parse.GetValue(serviceCpusOption),
                        instances > 1 ? new Dictionary<string, string>(settings) { ["Pipeline:InstanceName"] = $"load-{i + 1}" } : settings,
                        parse.GetValue(serviceLogOption), executable));
                using var probe = Http.Create(1);
                foreach (var service in services) await service.WaitHealthyAsync(probe, TimeSpan.FromSeconds(60));
                windows = await LoadRunner.RunAsync(driver, services, workload, users, concurrency, warmup, duration, round,
                    // Both snapshots are taken the export lag after their moment, so they bracket the windows alike.
                    measuring: () =>
                    {
                        if (stages is null) return;
                        Task.Run(async () =>
                        {
                            await Task.Delay(StageTimings.ExportLag);
                            measuring = stages.Snapshot();
                        });
                    },
                    measured: async () =>
                    {
                        if (stages is null) return;
                        await Task.Delay(StageTimings.ExportLag);
                        measured = stages.Snapshot();
                    });
                perBuild[label].Rss.Add(services.Max(s => s.PeakRssMb ?? double.NaN));
                if (windows.Any(w => w.Replies.Count == 0))
                    foreach (var service in services) Console.WriteLine("  service output (last lines):\n" + string.Join("\n", service.Output().Split("\n").TakeLast(60)));
            }
            finally
            {
                foreach (var service in services) await service.DisposeAsync();
            }
            if (measuring is not null && measured is not null)
                Console.WriteLine($"{label}:\n" + StageTimings.Describe(measuring, measured, windows.Sum(w => w.Replies.Count)));
            if (parse.GetValue(latencyLogOption) is { } latencyLog) WriteTimeline(latencyLog, $"{channel}-{workload}-{concurrency}-{label}", windows);
            perBuild[label].Windows.AddRange(windows);
            if (workload == "log")
                perBuild[label] = perBuild[label] with { Activities = perBuild[label].Activities + CountActivities() - activitiesBefore };
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (database is not null) await postgres!.DropAsync(database);
        }
        foreach (var (label, _, _) in builds)
        {
            var (windows, rss, activities) = perBuild[label];
            var row = ResultRow.From(channel, workload, concurrency, windows, rss.Count == 0 ? null : rss.Max());
            if (workload == "log") row = row with { ActivitiesWritten = activities };
            if (builds.Count > 1) row = row with { Build = label };
            rows.Add(row);
            Console.WriteLine(row.Describe());
        }
        if (parse.GetValue(baselineOption) is not null && builds.Count == 2)
        {
            var (baseline, current) = (rows[^2], rows[^1]);
            Console.WriteLine($"  this tree vs baseline: turns/s {current.TurnsPerSecond / baseline.TurnsPerSecond - 1:+0.0%;-0.0%}, " +
                              $"p99 {current.P99:F1} vs {baseline.P99:F1} ms, CPU per turn {current.CpuMsPerTurn:F2} vs {baseline.CpuMsPerTurn:F2} ms");
        }
        if (driver.LastReply is { } last) Console.WriteLine($"  last reply: {(last.Length > 160 ? last[..160] + "…" : last).ReplaceLineEndings(" ")}");
    }

    Console.WriteLine();
    Console.WriteLine(ResultRow.MarkdownTable(rows));
    ResultRow.Append(rows);
    return 0;
});

var coldStart = new Command("cold-start", "Process start to the first turn answered (a Teams `help`), several times.")
{
    startsOption, storeOption, serviceCpusOption, loadCpusOption, noBuildOption, setOption, serviceLogOption, compositeOption, baselineOption,
    baselineStoreOption,
};
coldStart.SetAction(async (parse, _) =>
{
    if (!parse.GetValue(noBuildOption) && !Pinning.IsPinned) await BuildAllAsync(parse);
    if (await Pinning.EnsurePinnedAsync(parse.GetValue(loadCpusOption), [.. args, "--no-build"]) is { } code) return code;
    var template = Path.GetFullPath(parse.GetValue(storeOption)!);
    if (!StoreExists(template)) return 2;
    var users = BenchWorld.Users(template, "msteams", 50);
    await using var driver = await TeamsDriver.StartAsync(users[0].TenantId, 1);
    var builds = Builds(parse);
    var firstTurn = builds.ToDictionary(b => b.Label, _ => new List<double>());
    var listening = builds.ToDictionary(b => b.Label, _ => new List<double>());
    var rss = builds.ToDictionary(b => b.Label, _ => new List<double>());
    // Start 0 is not counted. It is the first turn the fakes and this tool ever serve, and they compile their own
    // code for it (token signing, Kestrel, JSON) while the service waits for their answers: every run's first
    // start was slower than the rest (docs/decisions/performance.md, finding 31). Start 1 gets a new copy of the
    // store, as start 0 did, so whatever a first open of the store costs is still in start 1. With a baseline, the
    // two builds take turns, start by start, each on its own copy.
    var stores = new Dictionary<string, string>();
    for (var i = -1; i < parse.GetValue(startsOption); i++)
    foreach (var (label, executable) in i < 0 ? builds.Take(1) : builds)
    {
        // Each build its own copy (their schemas may differ), named apart so both stay open between starts.
        if (i <= 0) stores[label] = ServiceProcess.FreshStore(TemplateFor(parse, label, template), $"cold-start-{builds.FindIndex(b => b.Label == label)}.db");
        var store = stores[label];
        await using var service = ServiceProcess.Start(store, parse.GetValue(serviceCpusOption), Settings(driver, parse), parse.GetValue(serviceLogOption), executable);
        double? listeningMs = null;
        double answered;
        while (true)
        {
            if (service.HasExited) throw new InvalidOperationException("The service exited:\n" + service.Output());
            var sent = Stopwatch.GetTimestamp();
            var result = await driver.SendAsync(service.BaseUrl, users[(i + 1) % users.Count], "help", CancellationToken.None);
            if (result.Status == 0) { await Task.Delay(2); continue; }   // not listening yet
            listeningMs ??= Http.Ms(service.StartedAt, sent);
            if (result.ReplyMs is { } reply)
            {
                answered = Http.Ms(service.StartedAt, sent) + reply;
                break;
            }
            throw new InvalidOperationException($"The first turn was answered {result.Status} without a reply:\n" + service.Output());
        }
        if (i < 0)
        {
            Console.WriteLine($"start 0 (warms this tool and the fakes, not counted): first turn answered after {answered:F0} ms");
            continue;
        }
        firstTurn[label].Add(answered);
        listening[label].Add(listeningMs.Value);
        rss[label].Add(service.PeakRssMb ?? double.NaN);
        Console.WriteLine($"{label}, start {i + 1}: first turn answered after {answered:F0} ms (accepting connections after {listeningMs:F0} ms), " +
                          $"peak RSS {rss[label][^1]:F0} MB");
    }
    foreach (var (label, _) in builds)
    {
        Console.WriteLine($"{label}: cold start, median of {firstTurn[label].Count}: {Stats.Median(firstTurn[label]):F0} ms to the first answered turn " +
                          $"({Stats.Median(listening[label]):F0} ms to accepting connections), peak RSS {Stats.Median(rss[label]):F0} MB");
        ResultRow.AppendJson(new
        {
            kind = "cold-start", at = DateTime.UtcNow, build = label, firstTurnMs = firstTurn[label], listeningMs = listening[label], peakRssMb = rss[label],
        });
    }
    return 0;
});
root.Subcommands.Add(coldStart);

return await root.Parse(args).InvokeAsync();

// The store template a build starts from: --baseline-store for the baseline when given, else the common one.
string TemplateFor(System.CommandLine.ParseResult parse, string label, string template) =>
    label.StartsWith("baseline", StringComparison.Ordinal) && parse.GetValue(baselineStoreOption) is { } baselineStore
        ? Path.GetFullPath(baselineStore) : template;

// What each round starts: the builds on SQLite, then this tree on PostgreSQL with each --instances count.
List<(string Label, string Executable, int Instances)> Targets(System.CommandLine.ParseResult parse)
{
    var engines = parse.GetValue(engineOption)!;
    var both = engines.Contains("sqlite") && engines.Contains("postgres");
    return
    [
        .. engines.Contains("sqlite") ? Builds(parse).Select(b => (both ? $"{b.Label}, sqlite" : b.Label, b.Executable, 0)) : [],
        // Each build on PostgreSQL too, so that --baseline compares two builds there as well.
        .. engines.Contains("postgres")
            ? Builds(parse).SelectMany(b => parse.GetValue(instancesOption)!.Distinct().Order().Select(n => ($"{b.Label}, postgres ×{n}", b.Executable, n)))
            : [],
    ];
}

// The working tree's build, and the baseline's first when --baseline names one.
List<(string Label, string Executable)> Builds(System.CommandLine.ParseResult parse) => parse.GetValue(baselineOption) is { } gitRef
    ? [($"baseline {gitRef}", ServiceProcess.BaselinePath), ("this tree", ServiceProcess.ExecutablePath)]
    : [("this tree", ServiceProcess.ExecutablePath)];

async Task BuildAllAsync(System.CommandLine.ParseResult parse)
{
    await ServiceProcess.BuildAsync(parse.GetValue(compositeOption));
    if (parse.GetValue(baselineOption) is { } gitRef) await ServiceProcess.BuildBaselineAsync(gitRef, parse.GetValue(compositeOption));
}

// The users come from the generated store (also for --bare), so without it nothing can run.
bool StoreExists(string template)
{
    if (File.Exists(template)) return true;
    Console.Error.WriteLine($"No store at {template}: run `dotnet run -c Release --project bench/CrmBot.Bench -- generate` first (--scale 0.01 for a quick try).");
    return false;
}

// Appends, so one file can hold every set of a run; a header only for a new file.
void WriteTimeline(string path, string set, List<Window> windows)
{
    using var writer = new StreamWriter(path, append: true);
    if (writer.BaseStream.Position == 0) writer.WriteLine("set,window,at_s,reply_ms,ack_ms");
    var inv = System.Globalization.CultureInfo.InvariantCulture;
    for (var w = 0; w < windows.Count; w++)
        foreach (var (at, reply, ack) in windows[w].Timeline)
            writer.WriteLine(string.Create(inv, $"{set},{w + 1},{at:F4},{reply:F2},{ack:F2}"));
}

// The service's settings: the driver's (pointing it at the fakes), then each --set Key=Value over them.
Dictionary<string, string> Settings(ITurnDriver driver, System.CommandLine.ParseResult parse)
{
    var settings = new Dictionary<string, string>(driver.ServiceSettings);
    foreach (var kv in parse.GetValue(setOption) ?? [])
        settings[kv.Split('=', 2)[0]] = kv.Split('=', 2) is [_, var v] ? v : throw new ArgumentException($"--set {kv}: expected key=value");
    return settings;
}

/// <summary>One set (channel, workload, concurrency): the median over its runs of each number.</summary>
internal sealed record ResultRow(string Channel, string Workload, int Concurrency, int Runs, double TurnsPerSecond,
    double P50, double P90, double P99, double Max, double AckP50, double AckP99, double AckMax, string Statuses, int NoReply,
    int RejectedReplies, double? PeakRssMb, double ServiceCpu, double ToolCpu, IReadOnlyList<double> TurnsPerSecondRuns, long? ActivitiesWritten = null,
    string? Build = null)
{
    public static ResultRow From(string channel, string workload, int concurrency, List<Window> w, double? rss) => new(
        channel, workload, concurrency, w.Count,
        Stats.Median(w.Select(x => x.TurnsPerSecond)),
        Stats.Median(w.Select(x => Stats.Percentile(x.Replies, 50))),
        Stats.Median(w.Select(x => Stats.Percentile(x.Replies, 90))),
        Stats.Median(w.Select(x => Stats.Percentile(x.Replies, 99))),
        w.Select(x => Stats.Percentile(x.Replies, 100)).DefaultIfEmpty(double.NaN).Max(),
        Stats.Median(w.Select(x => Stats.Percentile(x.Acks, 50))),
        Stats.Median(w.Select(x => Stats.Percentile(x.Acks, 99))),
        w.Select(x => Stats.Percentile(x.Acks, 100)).DefaultIfEmpty(double.NaN).Max(),
        string.Join(" ", w.SelectMany(x => x.Statuses).GroupBy(kv => kv.Key).Select(g => $"{g.Key}×{g.Sum(kv => kv.Value)}")),
        w.Sum(x => x.NoReply), w.Sum(x => x.RejectedReplies), rss,
        Stats.Median(w.Select(x => x.ServiceCpu)), Stats.Median(w.Select(x => x.ToolCpu)),
        w.Select(x => Math.Round(x.TurnsPerSecond, 1)).ToList());

    /// <summary>Service CPU time per answered turn: comparable between runs even when the machine is busy.</summary>
    public double CpuMsPerTurn => TurnsPerSecond > 0 ? ServiceCpu * 1000 / TurnsPerSecond : double.NaN;

    public string Describe() =>
        $"{(Build is null ? "" : Build + ": ")}{Channel} {Workload} c={Concurrency}: {TurnsPerSecond:F0} turns/s (runs: {string.Join(", ", TurnsPerSecondRuns)}), " +
        $"send→reply p50 {P50:F1} p90 {P90:F1} p99 {P99:F1} max {Max:F1} ms; ack p50 {AckP50:F1} p99 {AckP99:F1} max {AckMax:F1} ms; " +
        $"HTTP {Statuses}; no reply {NoReply}, rejected replies {RejectedReplies}; peak RSS {PeakRssMb:F0} MB; " +
        $"CPU service {ServiceCpu:P0} ({CpuMsPerTurn:F2} ms per turn), load tool {ToolCpu:P0}" + (ActivitiesWritten is { } a ? $"; activities written {a}" : "");

    public static string MarkdownTable(IEnumerable<ResultRow> rows) =>
        "| build | channel | workload | conc. | turns/s | p50 ms | p90 ms | p99 ms | max ms | ack p99 ms | ack max ms | HTTP | no reply | peak RSS MB | service CPU | CPU ms/turn | load CPU |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" +
        string.Join("\n", rows.Select(r =>
            $"| {r.Build ?? "this tree"} | {r.Channel} | {r.Workload} | {r.Concurrency} | {r.TurnsPerSecond:F0} | {r.P50:F1} | {r.P90:F1} | {r.P99:F1} | {r.Max:F1} | " +
            $"{r.AckP99:F1} | {r.AckMax:F1} | {r.Statuses} | {r.NoReply} | {r.PeakRssMb:F0} | {r.ServiceCpu:P0} | {r.CpuMsPerTurn:F2} | {r.ToolCpu:P0} |"));

    public static void Append(IEnumerable<ResultRow> rows)
    {
        foreach (var r in rows) AppendJson(new { kind = "load", at = DateTime.UtcNow, result = r });
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>bench/.data/results.jsonl: every run's numbers, for writing up.</summary>
    public static void AppendJson(object value)
    {
        Directory.CreateDirectory(BenchPaths.DataDir);
        File.AppendAllText(Path.Combine(BenchPaths.DataDir, "results.jsonl"), JsonSerializer.Serialize(value, JsonOptions) + "\n");
    }
}

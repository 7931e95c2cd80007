using System.CommandLine;
using BenchmarkDotNet.Running;
using CrmBot.Bench;
using CrmBot.Bench.Shared;

// bench/CrmBot.Bench: `generate` builds the 1M-row store, `run` runs the BenchmarkDotNet store benchmarks on it,
// `explain` runs each benchmarked operation once and prints every SQL statement with its query plan and time.
var root = new RootCommand("CrmBot store benchmarks (see bench/README.md).");

var storeOption = new Option<string>("--store") { Description = "The store file.", DefaultValueFactory = _ => BenchPaths.DefaultStore };
var scaleOption = new Option<double>("--scale")
{
    Description = "1 = 10,000 members, 100,000 contacts, 1,000,000 activities and follow-ups; 0.01 for a quick try.",
    DefaultValueFactory = _ => 1.0,
};

var generate = new Command("generate", "Create (or replace) the benchmark store.") { storeOption, scaleOption };
generate.SetAction(async (parse, ct) =>
{
    var path = Path.GetFullPath(parse.GetValue(storeOption)!);
    var size = StoreSize.Scaled(parse.GetValue(scaleOption));
    Console.WriteLine($"Generating {path}: {size}");
    var took = await StoreGenerator.GenerateAsync(path, size, m => Console.WriteLine("  " + m), ct);
    Console.WriteLine($"Done in {took.TotalSeconds:F1} s; {new FileInfo(path).Length / (1024.0 * 1024):F0} MB.");
    return 0;
});
root.Subcommands.Add(generate);

var quickOption = new Option<bool>("--quick") { Description = "Few iterations: checks the benchmarks run, numbers are rough." };
var run = new Command("run", "Run the store benchmarks. Other arguments go to BenchmarkDotNet (e.g. --filter '*Due*').")
{
    storeOption, quickOption,
};
run.TreatUnmatchedTokensAsErrors = false;
run.SetAction(parse =>
{
    var path = Path.GetFullPath(parse.GetValue(storeOption)!);
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"No store at {path}: run `generate` first.");
        return 2;
    }
    Environment.SetEnvironmentVariable(BenchPaths.StoreVariable, path);
    // The store and report benchmarks only: SearchBenchmarks builds its own store and has the search-quick verb.
    // Without --filter BenchmarkDotNet asks on the console which benchmarks to run; all of them is the default here.
    string[] bdnArgs = parse.UnmatchedTokens.Contains("--filter") ? [.. parse.UnmatchedTokens] : [.. parse.UnmatchedTokens, "--filter", "*"];
    var summaries = BenchmarkSwitcher.FromTypes([typeof(StoreBenchmarks), typeof(ReportBenchmarks)]).Run(bdnArgs, BenchConfig.Create(parse.GetValue(quickOption)));
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
});
root.Subcommands.Add(run);

var explain = new Command("explain", "Run each benchmarked operation once; print its SQL, EXPLAIN QUERY PLAN and time.") { storeOption };
explain.SetAction(async (parse, ct) =>
{
    var path = Path.GetFullPath(parse.GetValue(storeOption)!);
    await Explainer.RunAsync(path, Console.Out, ct);
    return 0;
});
root.Subcommands.Add(explain);

var secondsOption = new Option<double>("--seconds") { Description = "Measured seconds per stage (after as long a warm-up).", DefaultValueFactory = _ => 5 };
// The runtime settings the published service runs with (its runtimeconfig: server GC, no instrumented PGO, 10 ms
// call-counting delay, 16 MB gen0 budget), as DOTNET_ variables, whose numbers are read as hexadecimal.
var serviceRuntime = new Dictionary<string, string>
{
    ["DOTNET_gcServer"] = "1",
    ["DOTNET_TieredPGO"] = "0",
    ["DOTNET_TC_CallCountingDelayMs"] = "A",
    ["DOTNET_GCgen0MaxBudget"] = "1000000",
};
var cpusOption = new Option<string>("--cpus")
{
    Description = "taskset CPU list to run on, with the service's runtime settings (empty: unpinned, this tool's own settings).",
    DefaultValueFactory = _ => "1",
};
var stages = new Command("stages", "Time each part of a chat turn on its own, in process: where a turn's milliseconds go.")
{
    storeOption, secondsOption, cpusOption,
};
stages.SetAction(async (parse, ct) =>
{
    // On the service's terms: one core, and the runtime settings of src/CrmBot/CrmBot.csproj. Unpinned, with two
    // processors and instrumented PGO, the same calls took up to about 40 % less CPU than in the service (finding 33).
    if (await Pinning.EnsurePinnedAsync(parse.GetValue(cpusOption), args, serviceRuntime) is { } code) return code;
    Console.WriteLine($"stages on CPUs {Pinning.AllowedCpus(Environment.ProcessId)}");
    var path = Path.GetFullPath(parse.GetValue(storeOption)!);
    var seconds = TimeSpan.FromSeconds(parse.GetValue(secondsOption));
    await TurnStages.RunAsync(path, seconds, seconds, Console.Out, ct);
    return 0;
});
root.Subcommands.Add(stages);

// crm-services' search cases on their own 100k-name store, one pass with wall and CPU time per query
// (readable on a busy machine, where BenchmarkDotNet's wall-clock numbers mostly measure the neighbours).
var postgresOption = new Option<string?>("--postgres") { Description = "Search in this empty PostgreSQL database (a connection string) instead of a SQLite file." };
var searchQuick = new Command("search-quick", "One pass over SearchBenchmarks' cases with wall and CPU time per query.") { postgresOption };
searchQuick.SetAction(async (parse, _) =>
{
    await SearchBenchmarks.QuickAsync(Console.Out, parse.GetValue(postgresOption));
    return 0;
});
root.Subcommands.Add(searchQuick);

return await root.Parse(args).InvokeAsync();

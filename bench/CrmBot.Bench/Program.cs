using BenchmarkDotNet.Running;
using CrmBot.Bench;

// `quick`: one pass over the search cases with wall and CPU time per query (useful on a busy
// machine, where BenchmarkDotNet's wall-clock numbers mostly measure the neighbours).
// Otherwise BenchmarkDotNet; pick benchmarks with --filter, e.g. --filter '*Search*'.
if (args is ["quick", ..])
{
    await SearchBenchmarks.QuickAsync(Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CrmBot.Bench;

internal static class BenchConfig
{
    /// <summary>
    /// In-process (no generated project to build), one launch, fixed iteration counts so a run takes
    /// minutes rather than BenchmarkDotNet's open-ended default. Quoted numbers are the Median column.
    /// </summary>
    public static IConfig Create(bool quick)
    {
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1)
            .WithWarmupCount(quick ? 1 : 5).WithIterationCount(quick ? 3 : 20)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(quick ? 100 : 500));
        return DefaultConfig.Instance.AddJob(job.WithId(quick ? "quick" : "store"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .WithOptions(ConfigOptions.JoinSummary);
    }
}

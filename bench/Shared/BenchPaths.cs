namespace CrmBot.Bench.Shared;

/// <summary>Where the bench tools find the repository and keep the generated store (shared by both tools).</summary>
internal static class BenchPaths
{
    /// <summary>Overrides the store path for every bench tool (and BenchmarkDotNet's child processes).</summary>
    public const string StoreVariable = "CRMBOT_BENCH_STORE";

    /// <summary>The directory holding CrmBot.sln, found upwards from the tool's binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>bench/.data: generated stores and run copies; ignored by git.</summary>
    public static string DataDir => Path.Combine(RepoRoot, "bench", ".data");

    /// <summary>The 1M-row store `generate` writes and everything else reads.</summary>
    public static string DefaultStore =>
        Environment.GetEnvironmentVariable(StoreVariable) is { Length: > 0 } p ? Path.GetFullPath(p) : Path.Combine(DataDir, "store.db");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CrmBot.sln"))) return dir.FullName;
        throw new InvalidOperationException($"CrmBot.sln not found above {AppContext.BaseDirectory}.");
    }
}

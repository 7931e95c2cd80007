using System.Diagnostics;

namespace CrmBot.Bench.Shared;

/// <summary>
/// CPU pinning with taskset: the service on one core, the load tool and the fakes on the other, so the
/// numbers say what one core of service does; `stages` pins itself the same way. A .NET process cannot move
/// its already-running threads itself (sched_setaffinity on the process id moves one thread), so a tool
/// re-runs itself under taskset.
/// </summary>
internal static class Pinning
{
    private const string PinnedVariable = "CRMBOT_BENCH_PINNED";

    /// <summary>True in the copy of this tool that runs under taskset.</summary>
    public static bool IsPinned => Environment.GetEnvironmentVariable(PinnedVariable) is { Length: > 0 };

    /// <summary>
    /// Re-runs this tool under `taskset -c cpus` (with <paramref name="environment"/> added) unless it already is;
    /// returns the child's exit code, or null to go on here.
    /// </summary>
    public static async Task<int?> EnsurePinnedAsync(string? cpus, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (string.IsNullOrEmpty(cpus) || Environment.GetEnvironmentVariable(PinnedVariable) == cpus) return null;
        if (!File.Exists("/usr/bin/taskset") && !File.Exists("/bin/taskset"))
        {
            Console.Error.WriteLine("taskset not found: running unpinned (numbers are not comparable with the README's).");
            return null;
        }
        var start = new ProcessStartInfo("taskset") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(cpus);
        start.ArgumentList.Add(Environment.ProcessPath!);
        // Run through the dotnet host, the entry assembly comes first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(Pinning).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[PinnedVariable] = cpus;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var child = Process.Start(start)!;
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    /// <summary>The "Cpus_allowed_list" of a process (/proc/pid/status), e.g. "0" or "0-1".</summary>
    public static string AllowedCpus(int pid) => ProcStatus(pid, "Cpus_allowed_list") ?? "?";

    /// <summary>A field of /proc/pid/status, e.g. VmHWM ("123456 kB").</summary>
    public static string? ProcStatus(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal)) return line[(field.Length + 1)..].Trim();
        }
        catch (IOException) { }
        return null;
    }

    /// <summary>A kB field of /proc/pid/status in MB (VmHWM: peak resident set).</summary>
    public static double? ProcStatusMb(int pid, string field) =>
        ProcStatus(pid, field) is { } v && long.TryParse(v.Split(' ')[0], out var kb) ? kb / 1024.0 : null;

    /// <summary>CPU time (user + system) a process has used so far, from /proc/pid/stat.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of stat; after the ")" they are at 11 and 12.
            var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}

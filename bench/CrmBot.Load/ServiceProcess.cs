using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using CrmBot.Bench.Shared;

namespace CrmBot.Load;

/// <summary>
/// The real CrmBot executable (Release build), started as a child process on 127.0.0.1 and pinned with
/// taskset, configured through environment variables the way an operator would.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private readonly StreamWriter? _log;

    private ServiceProcess(Process process, string baseUrl, long startedAt, string? logFile)
    {
        if (logFile is not null) _log = new StreamWriter(logFile, append: true) { AutoFlush = false };
        _process = process;
        BaseUrl = baseUrl;
        StartedAt = startedAt;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string BaseUrl { get; }
    public int Pid => _process.Id;
    /// <summary>Stopwatch timestamp taken just before the process was started (cold start is measured from it).</summary>
    public long StartedAt { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Instead of CrmBot, the issue's reference point: bench/CrmBot.Bare, a bare endpoint that reads the
    /// activity and posts one reply. Measured on the same set-up, it says how fast this machine is.
    /// </summary>
    public static bool Bare { get; set; }

    private static string Project => Bare
        ? Path.Combine(BenchPaths.RepoRoot, "bench", "CrmBot.Bare", "CrmBot.Bare.csproj")
        : Path.Combine(BenchPaths.RepoRoot, "src", "CrmBot", "CrmBot.csproj");

    /// <summary>The service as deployed: published, ReadyToRun (see <see cref="BuildAsync"/>); or the bare endpoint.</summary>
    public static string ExecutablePath => Bare
        ? Path.Combine(BenchPaths.DataDir, "bare", "CrmBot.Bare")
        : Path.Combine(BenchPaths.DataDir, "service", "CrmBot");

    /// <summary>The baseline build (<c>--baseline REF</c>), published from that git ref beside the working tree's.</summary>
    public static string BaselinePath => Path.Combine(BenchPaths.DataDir, "baseline", "CrmBot");

    /// <summary>
    /// dotnet publish -c Release -r linux-x64 src/CrmBot, so the run measures the code in the working tree the
    /// way an operator would run it (ReadyToRun comes with a runtime identifier; see src/CrmBot/CrmBot.csproj).
    /// <paramref name="composite"/>: self-contained, the app and the framework precompiled as one image (finding 28).
    /// </summary>
    public static Task BuildAsync(bool composite = false) => PublishAsync(Project, Path.GetDirectoryName(ExecutablePath)!, composite);

    /// <summary>
    /// The same publish of the tree at <paramref name="gitRef"/> (a commit, branch or tag), into bench/.data/baseline:
    /// the tree is exported with git archive into bench/.data/baseline-src, so the working tree is never touched.
    /// </summary>
    public static async Task BuildBaselineAsync(string gitRef, bool composite = false)
    {
        var source = Path.Combine(BenchPaths.DataDir, "baseline-src");
        if (Directory.Exists(source)) Directory.Delete(source, recursive: true);
        Directory.CreateDirectory(source);
        Console.WriteLine($"Exporting {gitRef} into {Path.GetRelativePath(BenchPaths.RepoRoot, source)}…");
        await RunAsync("bash", ["-c", "git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"", "archive", BenchPaths.RepoRoot, gitRef, source],
            $"git archive {gitRef} failed (is it a commit, branch or tag of this repository?).");
        await PublishAsync(Path.Combine(source, "src", "CrmBot", "CrmBot.csproj"), Path.GetDirectoryName(BaselinePath)!, composite);
    }

    private static async Task PublishAsync(string project, string output, bool composite)
    {
        Console.WriteLine($"Publishing {Path.GetRelativePath(BenchPaths.RepoRoot, project)} (Release, linux-x64" +
                          $"{(composite ? ", self-contained, composite image" : "")})…");
        // Nothing of an earlier publish is reused. The SDK skips precompiling a package whose image in obj/…/R2R
        // is newer than the package, whatever settings made that image: after one composite publish
        // every later plain publish shipped the composite's component stubs without the composite image, and the
        // service aborted (exit 134) before printing anything. Rebuilding the images costs a few seconds.
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var images = Path.Combine(Path.GetDirectoryName(project)!, "obj", "Release", "net10.0", "linux-x64", "R2R");
        if (Directory.Exists(images)) Directory.Delete(images, recursive: true);
        string[] image = composite ? ["--self-contained", "true", "-p:PublishReadyToRunComposite=true"] : ["--self-contained", "false"];
        await RunAsync("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", .. image, "-o", output, "-v", "q", "-nologo"],
            $"Publishing {project} failed.");
    }

    private static async Task RunAsync(string file, string[] arguments, string failure)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException(failure);
    }

    /// <summary>
    /// A copy of the store for one service run (log turns write to it), with nothing of an earlier run, and
    /// with morning digests switched off: the generated store has never planned one, so a minute after
    /// start the planner would catch up on every member whose digest time has passed today (in the small
    /// hours UTC, Monday morning in Asia: hundreds at once) in the middle of the measured window, by an amount
    /// that depends on the hour of the run. The load runs measure turns; the burst is finding 11 of docs/decisions/performance.md.
    /// </summary>
    public static string FreshStore(string template, string name = "load-run.db")
    {
        if (!File.Exists(template)) throw new FileNotFoundException($"No store at {template}: run `dotnet run -c Release --project bench/CrmBot.Bench -- generate` first.");
        Directory.CreateDirectory(BenchPaths.DataDir);
        var copy = Path.Combine(BenchPaths.DataDir, name);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(copy + suffix);
        File.Copy(template, copy);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE \"Members\" SET \"DigestEnabled\" = 0;";
            command.ExecuteNonQuery();
        }
        return copy;
    }

    /// <summary>Starts the published service (<paramref name="executable"/>: another build of it, such as the baseline).</summary>
    public static ServiceProcess Start(string store, string? cpus, IReadOnlyDictionary<string, string> settings, string? logFile,
        string? executable = null)
    {
        executable ??= ExecutablePath;
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(string.IsNullOrEmpty(cpus) ? executable : "taskset")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        if (!string.IsNullOrEmpty(cpus))
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add(executable);
        }
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Crm"] = $"Data Source={store}";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        return new ServiceProcess(process, url, startedAt, logFile);
    }

    /// <summary>Waits until /healthz answers 200.</summary>
    public async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited ({_process.ExitCode}):\n{Output()}");
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/healthz");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(20);
        }
        throw new TimeoutException($"The service did not become healthy within {timeout}:\n{Output()}");
    }

    public double? PeakRssMb => Pinning.ProcStatusMb(Pid, "VmHWM");
    public TimeSpan? CpuTime => Pinning.CpuTime(Pid);

    public string Output()
    {
        lock (_lastLines) return string.Join('\n', _lastLines);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _log?.WriteLine(line);
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 200) _lastLines.Dequeue();
        }
    }

    /// <summary>SIGTERM (the host's graceful shutdown), then SIGKILL if it does not stop within 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        lock (_lastLines) _log?.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

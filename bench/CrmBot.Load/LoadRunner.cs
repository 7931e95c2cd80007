using System.Diagnostics;
using CrmBot.Bench.Shared;

namespace CrmBot.Load;

/// <summary>The three turns of the issue: the help card, a logged call with a follow-up, the follow-ups due.</summary>
internal static class Workloads
{
    public static readonly string[] All = ["help", "log", "followups"];

    public static string Text(string workload, BenchUser user) => workload switch
    {
        "help" => "help",
        "log" => $"log call with {user.ContactName}: discussed renewal pricing, follow up tomorrow",
        "followups" => "follow-ups",
        _ => throw new ArgumentException($"Unknown workload '{workload}' (help, log, followups)."),
    };
}

/// <summary>What one measured window saw.</summary>
internal sealed class Window(double seconds)
{
    private readonly object _gate = new();
    public double Seconds { get; } = seconds;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    /// <summary>Each turn as it ended: seconds into the window, reply ms (NaN: none), ack ms (also for --latency-log).</summary>
    public List<(double At, double ReplyMs, double AckMs)> Timeline { get; } = [];
    /// <summary>Read once the window is over.</summary>
    public List<double> Replies => [.. Timeline.Where(t => !double.IsNaN(t.ReplyMs)).Select(t => t.ReplyMs)];
    public List<double> Acks => [.. Timeline.Select(t => t.AckMs)];
    public SortedDictionary<string, int> Statuses { get; } = [];
    public int NoReply { get; private set; }
    public int RejectedReplies { get; private set; }
    public double ServiceCpu { get; set; }
    public double ToolCpu { get; set; }

    public void Add(TurnResult r)
    {
        lock (_gate)
        {
            var key = r.Status switch { 0 => "conn-error", -1 => "timeout", _ => r.Status.ToString() };
            Statuses[key] = Statuses.GetValueOrDefault(key) + 1;
            Timeline.Add((Stopwatch.GetElapsedTime(_startedAt).TotalSeconds, r.ReplyMs ?? double.NaN, r.AckMs));
            if (r.ReplyMs is null && r.Status is >= 200 and < 300) NoReply++;
            if (r.ReplyRejected) RejectedReplies++;
        }
    }

    public double TurnsPerSecond => Timeline.Count(t => !double.IsNaN(t.ReplyMs)) / Seconds;
}

/// <summary>
/// A closed loop: <c>concurrency</c> workers each send a turn, wait for its reply at the fake, send the next.
/// After the warm-up, back-to-back windows are measured; a turn counts in the window its reply arrived in.
/// </summary>
internal static class LoadRunner
{
    public static async Task<List<Window>> RunAsync(ITurnDriver driver, IReadOnlyList<ServiceProcess> services, string workload, IReadOnlyList<BenchUser> users,
        int concurrency, TimeSpan warmup, TimeSpan duration, int runs, Action? measuring = null, Func<Task>? measured = null)
    {
        Window? current = null;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            // Each worker walks its own stride of the users, so concurrent turns come from different people.
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                var user = users[(w + k * concurrency) % users.Count];
                TurnResult result;
                // Several instances: the workers are split between them, as a balancer spreading connections would.
                try { result = await driver.SendAsync(services[w % services.Count].BaseUrl, user, Workloads.Text(workload, user), stop.Token); }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
                Volatile.Read(ref current)?.Add(result);
            }
        })).ToList();

        await Task.Delay(warmup);
        measuring?.Invoke();
        var windows = new List<Window>();
        for (var r = 0; r < runs; r++)
        {
            var window = new Window(duration.TotalSeconds);
            var serviceCpu = CpuTime(services);
            var toolCpu = Process.GetCurrentProcess().TotalProcessorTime;
            Volatile.Write(ref current, window);
            await Task.Delay(duration);
            Volatile.Write(ref current, null);
            window.ServiceCpu = (CpuTime(services) - serviceCpu).TotalSeconds / duration.TotalSeconds;
            window.ToolCpu = (Process.GetCurrentProcess().TotalProcessorTime - toolCpu).TotalSeconds / duration.TotalSeconds;
            windows.Add(window);
        }
        if (measured is not null) await measured();
        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(Drivers.ReplyTimeout + TimeSpan.FromSeconds(5));
        return windows;
    }

    private static TimeSpan CpuTime(IReadOnlyList<ServiceProcess> services) =>
        services.Aggregate(TimeSpan.Zero, (sum, s) => sum + (s.CpuTime ?? TimeSpan.Zero));
}

internal static class Stats
{
    /// <summary>The nearest-rank percentile (p in 0..100); NaN for no values.</summary>
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

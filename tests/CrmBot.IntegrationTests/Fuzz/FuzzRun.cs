using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace CrmBot.IntegrationTests.Fuzz;

/// <summary>One mutated request: how to send it, what was done to it, and a marker unique to it.</summary>
/// <param name="Marker">Part of the delivery id the service would store for it (null: it stores none).</param>
public sealed record FuzzCase(int Number, string What, Func<HttpRequestMessage> Request, string? Marker);

/// <summary>
/// Runs seeded cases against one endpoint of the in-memory service and collects what went wrong. Settings from the
/// environment: CRMBOT_FUZZ_SEED (default fixed), CRMBOT_FUZZ_CASES (per endpoint), CRMBOT_FUZZ_CASE (replay one
/// case), CRMBOT_FUZZ_PARALLEL (requests in flight). Each case draws from its own generator (seed, endpoint, case
/// number), so one case replays alone exactly as it ran in the whole run.
/// </summary>
public sealed class FuzzRun(string endpoint, HttpClient client, StoreProbe store, CapturingLoggerProvider logs)
{
    public static int Seed => Env("CRMBOT_FUZZ_SEED") ?? 20261207;
    public static int Cases => Env("CRMBOT_FUZZ_CASES") ?? 2000;
    public static int? OnlyCase => Env("CRMBOT_FUZZ_CASE");
    public static int Parallel => Math.Max(1, Env("CRMBOT_FUZZ_PARALLEL") ?? 4);

    /// <summary>Long enough for a slow turn on a busy machine; a hang is far longer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<int, string> _inFlight = new();
    private int _sent;

    public async Task RunAsync(Func<int, Random, FuzzCase> build)
    {
        var baseline = store.CrmFingerprint();
        logs.Tag = () => _inFlight.Count switch
        {
            0 => null,
            1 => "case " + string.Join("", _inFlight.Select(c => $"{c.Key}: {c.Value}")),
            _ => "cases in flight: " + string.Join(",", _inFlight.Keys.Order()),
        };
        var numbers = OnlyCase is { } one ? [one] : Enumerable.Range(0, Cases);
        await System.Threading.Tasks.Parallel.ForEachAsync(numbers, new ParallelOptions { MaxDegreeOfParallelism = OnlyCase is null ? Parallel : 1 },
            async (n, _) =>
            {
                if (_failures.Count >= 20) return;
                var fuzz = build(n, new Random(CaseSeed(endpoint, n)));
                _inFlight[n] = fuzz.What;
                try { await SendAsync(fuzz, baseline); }
                finally { _inFlight.TryRemove(n, out string? _); }
            });

        await store.WaitForNoPendingWorkAsync(TimeSpan.FromSeconds(30));
        logs.Tag = null;
        var health = await client.GetAsync("/healthz");
        if (health.StatusCode != HttpStatusCode.OK) _failures.Enqueue($"/healthz answered {(int)health.StatusCode} after the run");
        if (store.CrmFingerprint() is var after && after != baseline) _failures.Enqueue($"CRM tables changed during the run: {baseline} -> {after}");
        foreach (var entry in logs.Entries.Where(e => e.Level >= LogLevel.Error || (e.Level >= LogLevel.Warning && e.IsMultiLine)).Take(20))
            _failures.Enqueue($"logged: {entry}{(entry.Exception is null ? "" : "\n" + entry.Exception)}");

        Assert.True(_failures.IsEmpty,
            $"Fuzzing {endpoint} with seed {Seed} ({_sent} cases sent) found:\n" + string.Join("\n", _failures.Take(20)) +
            $"\nReplay one case: CRMBOT_FUZZ_SEED={Seed} CRMBOT_FUZZ_CASE=<n> dotnet test --filter \"FullyQualifiedName~Fuzz\"");
    }

    private async Task SendAsync(FuzzCase fuzz, string baseline)
    {
        Interlocked.Increment(ref _sent);
        using var timeout = new CancellationTokenSource(RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(fuzz.Request(), timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Fail(fuzz, $"no answer within {RequestTimeout.TotalSeconds} s");
            return;
        }
        catch (Exception e)
        {
            Fail(fuzz, $"the request threw {e.GetType().Name}: {e.Message}");
            return;
        }
        var status = (int)response.StatusCode;
        if (status >= 500 && status != 501)
        {
            // 501 is Bot Framework's answer to an invoke with no handler; 503 is no answer to bad input.
            Fail(fuzz, $"{status} {Short(await response.Content.ReadAsStringAsync())}");
            return;
        }
        // One at a time, a case's background work is waited for too, so a change is pinned on the case that made it.
        if (Parallel == 1 || OnlyCase is not null) await store.WaitForNoPendingWorkAsync(RequestTimeout);
        if (store.CrmFingerprint() is var now && now != baseline)
            Fail(fuzz, $"{status}, and the CRM tables changed: {baseline} -> {now}");
        if (status is >= 400 and < 500 && fuzz.Marker is not null && store.StoredDeliveries(fuzz.Marker) > 0)
            Fail(fuzz, $"refused with {status}, yet its delivery was stored");
    }

    private void Fail(FuzzCase fuzz, string what) =>
        _failures.Enqueue($"case {fuzz.Number} ({fuzz.What}): {what}");

    private static string Short(string s) => s.Length > 200 ? s[..200] + "…" : s;

    private static int CaseSeed(string endpoint, int n)
    {
        var h = Seed;
        foreach (var c in endpoint) h = unchecked(h * 31 + c);
        return unchecked(h * 1_000_003 + n);
    }

    private static int? Env(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
}

using BenchmarkDotNet.Attributes;
using CrmBot.Bench.Shared;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Bench;

/// <summary>
/// The CRM operations a chat turn waits on, against the generated store, each as the service runs it:
/// a fresh DI scope (and DbContext) per call, the real services. Every call asks about a different member
/// or contact (rotating through hundreds), so no answer is served from a page cached by the call before.
/// </summary>
public class StoreBenchmarks
{
    private const int Rotation = 512;

    private ServiceProvider _services = null!;
    private int[] _members = [];
    private int[] _contacts = [];
    private string[] _typoQueries = [];
    private string[] _accentQueries = [];
    private (int ContactId, int MemberId, string Name)[] _logTargets = [];
    private string? _copy;
    private int _next;

    [GlobalSetup(Targets = [nameof(FollowUpsDue), nameof(FindContactTypo), nameof(FindContactAccent), nameof(ContactSummary)])]
    public void SetupReads() => Setup(BenchPaths.DefaultStore);

    /// <summary>Writes go to a copy, so the generated store stays as generated for the next run.</summary>
    [GlobalSetup(Target = nameof(LogCallWithFollowUp))]
    public void SetupWrites()
    {
        _copy = Path.Combine(BenchPaths.DataDir, $"log-bench-{Environment.ProcessId}.db");
        File.Copy(BenchPaths.DefaultStore, _copy, overwrite: true);
        Setup(_copy);
    }

    private void Setup(string store)
    {
        _services = BenchServices.Create(store);
        var random = new Random(42);
        _members = BenchServices.Query(store, "SELECT Id FROM Members", r => r.GetInt32(0)).OrderBy(_ => random.Next()).Take(Rotation).ToArray();
        var contacts = BenchServices.Query(store, "SELECT Id, FirstName, LastName, OwnerId FROM Contacts WHERE Id % ((SELECT count(*) FROM Contacts) / 2000 + 1) = 0",
            r => (Id: r.GetInt32(0), Name: $"{r.GetString(1)} {r.GetString(2)}", Owner: r.GetInt32(3))).ToList();
        _contacts = contacts.OrderBy(_ => random.Next()).Take(Rotation).Select(c => c.Id).ToArray();
        _typoQueries = contacts.OrderBy(_ => random.Next()).Take(Rotation).Select(c => Queries.Typo(c.Name)).ToArray();
        _accentQueries = contacts.Where(c => Queries.HasAccents(c.Name)).OrderBy(_ => random.Next()).Take(Rotation)
            .Select(c => Queries.WithoutAccents(c.Name)).ToArray();
        _logTargets = contacts.OrderBy(_ => random.Next()).Take(Rotation).Select(c => (c.Id, c.Owner, c.Name)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_copy is not null)
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_copy + suffix);
    }

    private int Next() => _next++ % Rotation;

    /// <summary>"What's due today?": a member's overdue and due-today follow-ups, with contact, company and deal.</summary>
    [Benchmark]
    public async Task<int> FollowUpsDue()
    {
        await using var scope = _services.CreateAsyncScope();
        var due = await scope.ServiceProvider.GetRequiredService<FollowUpService>().DueAsync(_members[Next() % _members.Length], default);
        return due.Overdue.Count + due.DueToday.Count;
    }

    /// <summary>A contact's name with two letters swapped, as typed in a hurry.</summary>
    [Benchmark]
    public async Task<int> FindContactTypo()
    {
        await using var scope = _services.CreateAsyncScope();
        var hits = await scope.ServiceProvider.GetRequiredService<CrmSearch>().FindContactsAsync(_typoQueries[Next() % _typoQueries.Length], 5, default);
        return hits.Count;
    }

    /// <summary>An accented name typed without its accents ("jose garcia" for José García).</summary>
    [Benchmark]
    public async Task<int> FindContactAccent()
    {
        await using var scope = _services.CreateAsyncScope();
        var hits = await scope.ServiceProvider.GetRequiredService<CrmSearch>().FindContactsAsync(_accentQueries[Next() % _accentQueries.Length], 5, default);
        return hits.Count;
    }

    /// <summary>Contact, company, open deals, last five activities and the next follow-up.</summary>
    [Benchmark]
    public async Task<int> ContactSummary()
    {
        await using var scope = _services.CreateAsyncScope();
        var summary = await scope.ServiceProvider.GetRequiredService<CrmSearch>().SummaryAsync(_contacts[Next() % _contacts.Length], default);
        return summary!.LastActivities.Count;
    }

    /// <summary>"log call with X: … follow up tomorrow": activity + follow-up + two audit entries, one commit.</summary>
    [Benchmark]
    public async Task<int> LogCallWithFollowUp()
    {
        var (contactId, memberId, name) = _logTargets[Next() % _logTargets.Length];
        await using var scope = _services.CreateAsyncScope();
        var logged = await scope.ServiceProvider.GetRequiredService<ActivityService>().LogAsync(
            new LogActivity(contactId, ActivityType.Call, "Discussed renewal pricing",
                FollowUp: new NewFollowUp("Send the quote", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1))),
            new Actor(memberId, name, ChannelIds.Teams), default);
        return logged.Activity.Id;
    }
}

/// <summary>How the lookup benchmarks (and `explain`) misspell names.</summary>
internal static class Queries
{
    /// <summary>Swaps two letters in the middle of the last word: "Lindqvist" → "Lindqvsit".</summary>
    public static string Typo(string name)
    {
        var words = name.Split(' ');
        var last = words[^1];
        if (last.Length >= 4)
        {
            var i = last.Length / 2;
            var chars = last.ToCharArray();
            (chars[i], chars[i - 1]) = (chars[i - 1], chars[i]);
            words[^1] = new string(chars);
        }
        return string.Join(' ', words);
    }

    public static bool HasAccents(string name) => TextFold.Fold(name) != name.ToLowerInvariant();

    /// <summary>The name as typed on a keyboard without accents (folding, but keeping case and words).</summary>
    public static string WithoutAccents(string name) => TextFold.Fold(name);
}

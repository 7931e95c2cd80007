using System.Diagnostics;
using CrmBot.Bench.Shared;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Bench;

/// <summary>
/// `stages`: the parts of a chat turn, each timed on its own, in process and one at a time, on a copy of the
/// generated store: where a turn's milliseconds go before HTTP, tokens and the Connector are added. Each
/// call runs in its own DI scope, as a turn does, and asks about the next of a few thousand members.
/// </summary>
internal static class TurnStages
{
    public static async Task RunAsync(string store, TimeSpan warmup, TimeSpan measure, TextWriter output, CancellationToken ct)
    {
        var copy = Path.Combine(BenchPaths.DataDir, $"stages-{Environment.ProcessId}.db");
        File.Copy(store, copy, overwrite: true);
        try
        {
            var configuration = new ConfigurationBuilder().Build();
            await using var services = BenchServices.Create(copy, s => s.AddConversations(configuration));
            var users = BenchWorld.Users(copy, "msteams", 3000);
            var next = 0;
            BenchUser User() => users[next++ % users.Count];
            Turn TurnOf(BenchUser u, string text) => new($"stage-{Guid.NewGuid():N}", Chat(u), $"stage-{Guid.NewGuid():N}", ConversationKind.Personal, text);

            var stages = new (string Name, Func<IServiceProvider, BenchUser, Task> Run)[]
            {
                ("DI scope, engine and its features resolved", (s, _) => { s.GetRequiredService<IBot>(); return Task.CompletedTask; }),
                ("member resolved (seen in the last minutes)", (s, u) => s.GetRequiredService<MemberService>().ResolveAsync(
                    new MemberIdentity(u.Channel, u.TenantId, u.UserId, u.DisplayName, u.TimeZone), ct)),
                ("contact found, exact name", (s, u) => s.GetRequiredService<CrmSearch>().FindContactsAsync(u.ContactName, 5, ct)),
                ("contact found, typo", (s, u) => s.GetRequiredService<CrmSearch>().FindContactsAsync(Queries.Typo(u.ContactName), 5, ct)),
                ("follow-ups due (DueAsync)", (s, u) => s.GetRequiredService<FollowUpService>().DueAsync(u.MemberId, ct)),
                ("call + follow-up logged (LogAsync, one commit)", (s, u) => s.GetRequiredService<ActivityService>().LogAsync(
                    new LogActivity(u.ContactId, ActivityType.Call, "discussed renewal pricing", FollowUp: new NewFollowUp("Follow up", new DateOnly(2030, 1, 2))),
                    new Actor(u.MemberId, u.DisplayName, u.Channel), ct)),
                ("turn: help", (s, u) => s.GetRequiredService<IBot>().OnTurnAsync(TurnOf(u, "help"), ct)),
                ("turn: follow-ups", (s, u) => s.GetRequiredService<IBot>().OnTurnAsync(TurnOf(u, "follow-ups"), ct)),
                ("turn: log call with <contact>: … follow up tomorrow", (s, u) => s.GetRequiredService<IBot>().OnTurnAsync(
                    TurnOf(u, $"log call with {u.ContactName}: discussed renewal pricing, follow up tomorrow"), ct)),
            };

            output.WriteLine($"{"stage",-52} {"mean µs",9} {"CPU µs",9} {"KB alloc",9} {"calls",7}");
            foreach (var (name, run) in stages)
            {
                await RepeatAsync(services, run, User, warmup, ct);
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes();
                var watch = Stopwatch.StartNew();
                var calls = await RepeatAsync(services, run, User, measure, ct);
                var elapsed = watch.Elapsed;
                process.Refresh();
                output.WriteLine($"{name,-52} {elapsed.TotalMicroseconds / calls,9:F0} {(process.TotalProcessorTime - cpu).TotalMicroseconds / calls,9:F0} " +
                                 $"{(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / calls,9:F0} {calls,7}");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(copy + suffix);
        }
    }

    private static async Task<int> RepeatAsync(ServiceProvider services, Func<IServiceProvider, BenchUser, Task> run, Func<BenchUser> user,
        TimeSpan duration, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (watch.Elapsed < duration)
        {
            await using var scope = services.CreateAsyncScope();
            await run(scope.ServiceProvider, user());
            calls++;
            ct.ThrowIfCancellationRequested();
        }
        return calls;
    }

    private static ChatUser Chat(BenchUser u) => new(u.Channel, u.TenantId, u.UserId, u.DisplayName, u.TimeZone);
}

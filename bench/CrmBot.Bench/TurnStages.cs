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
            var users = BenchServices.Query(copy, """
                WITH unique_names AS (SELECT SearchName FROM Contacts GROUP BY SearchName HAVING count(*) = 1)
                SELECT m.Id, m.Channel, m.TenantId, m.UserId, m.DisplayName, m.TimeZone,
                       (SELECT c.Id || '|' || c.FirstName || ' ' || c.LastName FROM Contacts c
                        WHERE c.OwnerId = m.Id AND c.SearchName IN (SELECT SearchName FROM unique_names) ORDER BY c.Id LIMIT 1)
                FROM Members m WHERE m.Channel = 'msteams' ORDER BY m.Id LIMIT 3000
                """, r => r.IsDBNull(6) ? null : new StageUser(r.GetInt32(0), new ChatUser(r.GetString(1), r.GetString(2), r.GetString(3),
                    r.GetString(4), r.GetString(5)), int.Parse(r.GetString(6).Split('|')[0]), r.GetString(6).Split('|')[1]))
                .OfType<StageUser>().ToList();
            var next = 0;
            StageUser User() => users[next++ % users.Count];
            Turn TurnOf(StageUser u, string text) => new($"stage-{Guid.NewGuid():N}", u.Chat, $"stage-{Guid.NewGuid():N}", ConversationKind.Personal, text);

            var stages = new (string Name, Func<IServiceProvider, StageUser, Task> Run)[]
            {
                ("DI scope, engine and its features resolved", (s, _) => { s.GetRequiredService<IBot>(); return Task.CompletedTask; }),
                ("member resolved (seen in the last minutes)", (s, u) => s.GetRequiredService<MemberService>().ResolveAsync(
                    new MemberIdentity(u.Chat.Channel, u.Chat.TenantId, u.Chat.UserId, u.Chat.DisplayName, u.Chat.TimeZone), ct)),
                ("contact found, exact name", (s, u) => s.GetRequiredService<CrmSearch>().FindContactsAsync(u.ContactName, 5, ct)),
                ("contact found, typo", (s, u) => s.GetRequiredService<CrmSearch>().FindContactsAsync(Queries.Typo(u.ContactName), 5, ct)),
                ("follow-ups due (DueAsync)", (s, u) => s.GetRequiredService<FollowUpService>().DueAsync(u.MemberId, ct)),
                ("call + follow-up logged (LogAsync, one commit)", (s, u) => s.GetRequiredService<ActivityService>().LogAsync(
                    new LogActivity(u.ContactId, ActivityType.Call, "discussed renewal pricing", FollowUp: new NewFollowUp("Follow up", new DateOnly(2030, 1, 2))),
                    new Actor(u.MemberId, u.Chat.DisplayName!, u.Chat.Channel), ct)),
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

    private static async Task<int> RepeatAsync(ServiceProvider services, Func<IServiceProvider, StageUser, Task> run, Func<StageUser> user,
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

    private sealed record StageUser(int MemberId, ChatUser Chat, int ContactId, string ContactName);
}

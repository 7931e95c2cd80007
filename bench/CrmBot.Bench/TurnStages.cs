using System.Diagnostics;
using CrmBot.Bench.Shared;
using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
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
            var users = BenchWorld.Users(copy, ChannelIds.Teams, 3000);
            var next = 0;
            BenchUser User() => users[next++ % users.Count];
            Turn TurnOf(BenchUser u, string text) => new($"stage-{Guid.NewGuid():N}", Chat(u), $"stage-{Guid.NewGuid():N}", ConversationKind.Personal, text);

            var stages = new (string Name, Func<IServiceProvider, BenchUser, Task> Run, int Calls)[]
            {
                ("DI scope, engine and its features resolved", (s, _) => { s.GetRequiredService<IBot>(); return Task.CompletedTask; }, 1),
                ("member resolved (seen in the last minutes)", (s, u) => s.GetRequiredService<MemberService>().ResolveAsync(
                    new MemberIdentity(u.Channel, u.TenantId, u.UserId, u.DisplayName, u.TimeZone), ct), 1),
                ("contact found, exact name", (s, u) => s.GetRequiredService<CrmSearch>().FindContactsAsync(u.ContactName, 5, ct), 1),
                ("contact found, typo", (s, u) => s.GetRequiredService<CrmSearch>().FindContactsAsync(Queries.Typo(u.ContactName), 5, ct), 1),
                ("follow-ups due (DueAsync)", (s, u) => s.GetRequiredService<FollowUpService>().DueAsync(u.MemberId, ct), 1),
                ("call + follow-up logged (LogAsync, one commit)", (s, u) => LogCall(s, u, ct), 1),
                // What a group commit could save at most: several turns' writes in one transaction, a savepoint each
                // so that one turn's failure would undo only its own (finding 32). Timed per call logged.
                ("… 4 calls to a commit, per call", (s, u) => LogCallsTogether(s, [u, User(), User(), User()], ct), 4),
                ("… 8 calls to a commit, per call", (s, u) => LogCallsTogether(s, [u, User(), User(), User(), User(), User(), User(), User()], ct), 8),
                ("turn: help", (s, u) => s.GetRequiredService<IBot>().OnTurnAsync(TurnOf(u, "help"), ct), 1),
                ("turn: follow-ups", (s, u) => s.GetRequiredService<IBot>().OnTurnAsync(TurnOf(u, "follow-ups"), ct), 1),
                ("turn: log call with <contact>: … follow up tomorrow", (s, u) => s.GetRequiredService<IBot>().OnTurnAsync(
                    TurnOf(u, $"log call with {u.ContactName}: discussed renewal pricing, follow up tomorrow"), ct), 1),
            };

            output.WriteLine($"{"stage",-52} {"mean µs",9} {"CPU µs",9} {"KB alloc",9} {"calls",7}");
            foreach (var (name, run, perCall) in stages)
            {
                await RepeatAsync(services, run, User, warmup, ct);
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes();
                var watch = Stopwatch.StartNew();
                var calls = await RepeatAsync(services, run, User, measure, ct) * perCall;
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

    private static Task<LoggedActivity> LogCall(IServiceProvider services, BenchUser u, CancellationToken ct) =>
        services.GetRequiredService<ActivityService>().LogAsync(
            new LogActivity(u.ContactId, ActivityType.Call, "discussed renewal pricing", FollowUp: new NewFollowUp("Follow up", new DateOnly(2030, 1, 2))),
            new Actor(u.MemberId, u.DisplayName, u.Channel), ct);

    /// <summary>The calls in one transaction: LogAsync joins the one open on its context instead of committing its own.</summary>
    private static async Task LogCallsTogether(IServiceProvider services, BenchUser[] users, CancellationToken ct)
    {
        var db = services.GetRequiredService<CrmDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var u in users)
        {
            await transaction.CreateSavepointAsync("turn", ct);
            await LogCall(services, u, ct);
            await transaction.ReleaseSavepointAsync("turn", ct);
        }
        await transaction.CommitAsync(ct);
    }

    private static ChatUser Chat(BenchUser u) => new(u.Channel, u.TenantId, u.UserId, u.DisplayName, u.TimeZone);
}

using System.Data.Common;
using System.Diagnostics;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Bench;

/// <summary>
/// The profiling half of the store benchmarks: each operation once (after a warm-up call), with every
/// SQL statement EF sends, its EXPLAIN QUERY PLAN (run on the same connection, same parameters) and its
/// time. This is where "why is it slow" is answered: a SCAN where a SEARCH was expected, or too many
/// round trips. Also checks the fuzzy lookups find the contact meant.
/// </summary>
internal static class Explainer
{
    public static async Task RunAsync(string store, TextWriter output, CancellationToken ct)
    {
        var copy = Path.Combine(Path.GetDirectoryName(store)!, $"explain-{Environment.ProcessId}.db");
        File.Copy(store, copy, overwrite: true);
        try
        {
            var recorder = new CommandRecorder();
            await using var services = BenchServices.Create(copy, s => s.ConfigureDbContext<CrmDbContext>(o => o.AddInterceptors(recorder)));
            var member = BenchServices.Query(copy, "SELECT AssigneeId FROM FollowUps WHERE Status = 'Open' LIMIT 1", r => r.GetInt32(0))[0];
            var contacts = BenchServices.Query(copy, "SELECT Id, FirstName, LastName, OwnerId FROM Contacts WHERE Id % ((SELECT count(*) FROM Contacts) / 100 + 1) = 0",
                r => (Id: r.GetInt32(0), Name: $"{r.GetString(1)} {r.GetString(2)}", Owner: r.GetInt32(3)));
            var contact = contacts[0];
            var accented = contacts.First(c => Queries.HasAccents(c.Name));

            async Task Show(string title, Func<IServiceProvider, Task<string>> operation)
            {
                for (var warm = 0; warm < 3; warm++)
                {
                    await using var warmScope = services.CreateAsyncScope();
                    await operation(warmScope.ServiceProvider);
                }
                recorder.Start();
                var watch = Stopwatch.StartNew();
                string result;
                await using (var scope = services.CreateAsyncScope())
                    result = await operation(scope.ServiceProvider);
                watch.Stop();
                var commands = recorder.Stop();
                output.WriteLine($"=== {title}: {watch.Elapsed.TotalMilliseconds:F2} ms, {commands.Count} statement(s) — {result}");
                foreach (var c in commands)
                {
                    output.WriteLine($"--- {c.Milliseconds:F2} ms");
                    output.WriteLine(c.Sql.Trim());
                    foreach (var line in c.Plan) output.WriteLine("    plan: " + line);
                }
                output.WriteLine();
            }

            await Show("FollowUpService.DueAsync", async sp =>
            {
                var due = await sp.GetRequiredService<FollowUpService>().DueAsync(member, ct);
                return $"{due.Overdue.Count} overdue, {due.DueToday.Count} due today";
            });
            await Show($"CrmSearch.FindContactsAsync(\"{Queries.Typo(contact.Name)}\")", async sp =>
                Describe(await sp.GetRequiredService<CrmSearch>().FindContactsAsync(Queries.Typo(contact.Name), 5, ct)));
            await Show($"CrmSearch.FindContactsAsync(\"{Queries.WithoutAccents(accented.Name)}\")", async sp =>
                Describe(await sp.GetRequiredService<CrmSearch>().FindContactsAsync(Queries.WithoutAccents(accented.Name), 5, ct)));
            await Show("CrmSearch.SummaryAsync", async sp =>
            {
                var s = await sp.GetRequiredService<CrmSearch>().SummaryAsync(contact.Id, ct);
                return $"{s!.OpenDeals.Count} open deals, {s.LastActivities.Count} activities, next follow-up {s.NextFollowUp?.Id}";
            });
            var reportContext = ReportBenchmarks.ReportContext.Today();
            ReportScope[] reportScopes =
                [ReportBenchmarks.ScopesOf(copy, ReportScopeKind.Member)[0], ReportBenchmarks.ScopesOf(copy, ReportScopeKind.Team)[0], ReportScope.Everyone];
            foreach (var report in ReportBenchmarks.Reports)
                foreach (var reportScope in reportScopes)
                    await Show($"{report.Name}, {reportScope.Kind} {reportScope.MemberId}", sp => report.Run(sp, reportScope, reportContext, ct));
            await Show("ActivityService.LogAsync (with follow-up)", async sp =>
            {
                var logged = await sp.GetRequiredService<ActivityService>().LogAsync(
                    new LogActivity(contact.Id, ActivityType.Call, "Discussed renewal pricing",
                        FollowUp: new NewFollowUp("Send the quote", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1))),
                    new Actor(contact.Owner, contact.Name, ChannelIds.Teams), ct);
                return $"activity {logged.Activity.Id}, follow-up {logged.FollowUp?.Id}";
            });

            // Does the fuzzy lookup find the contact meant? Typo and accent queries over a sample of names.
            await using var check = services.CreateAsyncScope();
            var search = check.ServiceProvider.GetRequiredService<CrmSearch>();
            foreach (var (kind, make) in new (string, Func<string, string>)[] { ("typo", Queries.Typo), ("accent", Queries.WithoutAccents) })
            {
                var sample = contacts.Where(c => kind != "accent" || Queries.HasAccents(c.Name)).Take(100).ToList();
                int top1 = 0, top5 = 0;
                foreach (var c in sample)
                {
                    var hits = await search.FindContactsAsync(make(c.Name), 5, ct);
                    // Namesakes are common in 100,000 contacts: a hit with the very name counts as found.
                    var target = Crm.Text.TextFold.Fold(c.Name);
                    if (hits.Count > 0 && hits[0].Item.SearchName == target) top1++;
                    if (hits.Any(h => h.Item.SearchName == target)) top5++;
                }
                output.WriteLine($"{kind} lookups: the name meant is first in {top1}/{sample.Count}, in the top 5 in {top5}/{sample.Count}");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(copy + suffix);
        }
    }

    private static string Describe(IReadOnlyList<Match<Contact>> hits) =>
        hits.Count == 0 ? "no match" : string.Join(", ", hits.Select(h => $"{h.Item.FirstName} {h.Item.LastName} ({h.Score:F2})"));

    private sealed record Recorded(string Sql, double Milliseconds, IReadOnlyList<string> Plan);

    /// <summary>Times every command and asks SQLite for the plan of every query, on the command's own connection.</summary>
    private sealed class CommandRecorder : DbCommandInterceptor
    {
        private readonly List<Recorded> _commands = [];
        private readonly Dictionary<DbCommand, (long Start, List<string> Plan)> _open = [];
        private bool _on;

        public void Start() { _commands.Clear(); _on = true; }

        public List<Recorded> Stop() { _on = false; return [.. _commands]; }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Begin(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Begin(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            End(command);
            return ValueTask.FromResult(result);
        }

        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            End(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Begin(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            End(command);
            return ValueTask.FromResult(result);
        }

        private void Begin(DbCommand command)
        {
            if (!_on) return;
            var plan = new List<string>();
            if (command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || command.CommandText.Contains("RETURNING"))
            {
                using var explain = (SqliteCommand)command.Connection!.CreateCommand();
                explain.Transaction = (SqliteTransaction?)command.Transaction;
                explain.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
                foreach (SqliteParameter p in command.Parameters) explain.Parameters.Add(new SqliteParameter(p.ParameterName, p.Value));
                try
                {
                    using var reader = explain.ExecuteReader();
                    while (reader.Read()) plan.Add(reader.GetString(3));
                }
                catch (SqliteException ex)
                {
                    plan.Add("(no plan: " + ex.Message + ")");
                }
            }
            _open[command] = (Stopwatch.GetTimestamp(), plan);
        }

        private void End(DbCommand command)
        {
            if (!_on || !_open.Remove(command, out var started)) return;
            _commands.Add(new Recorded(command.CommandText, Stopwatch.GetElapsedTime(started.Start).TotalMilliseconds, started.Plan));
        }
    }
}

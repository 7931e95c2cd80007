using System.CommandLine;
using System.Globalization;
using CrmBot.Crm;
using CrmBot.Crm.Surveys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrmBot.Cli;

/// <summary>
/// `copy-store --to "Host=…;Database=…"`: moves the configured SQLite store into an empty PostgreSQL database
/// (<see cref="StoreCopy"/>), shows the row counts of both sides and the settings that point the service at it.
/// </summary>
internal static class CopyStoreCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to")
        {
            Description = "The empty PostgreSQL database, as a connection string: \"Host=…;Database=…;Username=…;Password=…\".",
            Required = true,
        };
        var command = new Command("copy-store",
            "Copy the SQLite store into an empty PostgreSQL database (schema, every row, identities), check the row counts and say what to configure.")
        {
            to,
        };
        command.SetAction((parse, ct) =>
        {
            var target = parse.GetValue(to)!;
            try
            {
                _ = new NpgsqlConnectionStringBuilder(target);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"--to is not a PostgreSQL connection string ({e.Message}). Give it as \"Host=…;Database=…;Username=…;Password=…\".");
                return Task.FromResult(2);
            }
            return CliHost.RunAsync(writes: false, services => CopyAsync(services, target, ct), ct);
        });
        return command;
    }

    private static async Task<int> CopyAsync(IServiceProvider services, string target, CancellationToken ct)
    {
        var store = services.GetRequiredService<StoreConnection>();
        if (!store.IsSqlite)
        {
            Console.Error.WriteLine($"copy-store copies a SQLite store, and the configured one ({StoreConnection.ProviderKey}) is PostgreSQL already. " +
                                    "Run it with the settings of the SQLite installation.");
            return 1;
        }
        // Brought up to date first, as the service would, so the columns read are the model's.
        await services.GetRequiredService<StoreMigrator>().MigrateAsync(ct);
        var model = services.GetRequiredService<CrmDbContext>().Model;
        IReadOnlyList<StoreCopy.TableCount> counts;
        var took = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            counts = await new StoreCopy(store.ConnectionString, model, target).RunAsync(Console.Error.WriteLine, ct);
        }
        catch (StoreCopy.CopyRefused e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"PostgreSQL at {StoreCopy.Masked(target)} answered: {e.Message}");
            return 1;
        }

        var width = counts.Max(c => c.Table.Length);
        Console.WriteLine($"{"Table".PadRight(width)}  {"SQLite",10}  {"PostgreSQL",10}");
        foreach (var count in counts)
            Console.WriteLine($"{count.Table.PadRight(width)}  {N(count.Source),10}  {N(count.Target),10}");
        Console.WriteLine($"Copied {N(counts.Sum(c => c.Source))} rows in {took.Elapsed.TotalSeconds:F1} s; every table's count matches.");
        Console.WriteLine();
        Console.WriteLine("To run on PostgreSQL, set and restart the service (the SQLite file is left as it was):");
        Console.WriteLine($"  {StoreConnection.ProviderKey}=Postgres");
        Console.WriteLine($"  ConnectionStrings:Crm={StoreCopy.Masked(target)}");
        // Bound without validation: an old key file beside the store fails the options' check, and is exactly the key to carry over.
        var feedback = services.GetRequiredService<IConfiguration>().GetSection(FeedbackOptions.Section).Get<FeedbackOptions>() ?? new FeedbackOptions();
        if (StoreCopy.ParticipationKeyAdvice(feedback, services.GetRequiredService<StoreLocation>()) is { } advice)
            Console.WriteLine($"  {advice}");
        return 0;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

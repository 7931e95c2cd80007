using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CrmBot.Crm;
using CrmBot.Crm.Services;
using CrmBot.Crm.Text;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Bench;

/// <summary>
/// Name search over 100,000 contacts, as a chat turn runs it: a fresh DbContext per search, candidates from the
/// engine's trigram indexes, ranking in memory. A SQLite file by default; with <see cref="Postgres"/> set, that
/// (empty) PostgreSQL database, migrated and filled here.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class SearchBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }

    public const int Contacts = 100_000;
    private string _path = "";
    private DbContextOptions<CrmDbContext> _options = null!;
    private readonly IOptions<CrmOptions> _crmOptions = Options.Create(new CrmOptions());

    public static readonly string[] Queries = ["john doe", "jon doe", "muller", "jurgen muler", "smith", "an"];

    [ParamsSource(nameof(Queries))]
    public string Query { get; set; } = "";

    /// <summary>The connection string of an empty PostgreSQL database to search in instead of a SQLite file.</summary>
    public string? Postgres { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        if (Postgres is not null)
            CrmServiceCollectionExtensions.ConfigureStore(builder, new StoreConnection(StoreProvider.Postgres, Postgres))
                .UseModel(CrmServiceCollectionExtensions.CompiledModelOf(StoreProvider.Postgres));
        else
        {
            _path = Path.Combine(Path.GetTempPath(), $"crmbot-bench-{Guid.NewGuid():N}.db");
            CrmServiceCollectionExtensions.ConfigureStore(builder, $"Data Source={_path}");
        }
        _options = builder.Options;
        using var db = new CrmDbContext(_options);
        new StoreMigrator(db).MigrateAsync().GetAwaiter().GetResult();
        Fill(db);
    }

    [Benchmark]
    public async Task<int> FindContacts()
    {
        await using var db = new CrmDbContext(_options);
        return (await new CrmSearch(db, _crmOptions).FindContactsAsync(Query, 10, default)).Count;
    }

    public static async Task QuickAsync(TextWriter output, string? postgres = null, int iterations = 30)
    {
        var bench = new SearchBenchmarks { Postgres = postgres };
        var fill = System.Diagnostics.Stopwatch.StartNew();
        bench.Setup();
        output.WriteLine($"{Contacts:N0} contacts written and indexed in {fill.Elapsed.TotalSeconds:F1} s");
        var process = System.Diagnostics.Process.GetCurrentProcess();
        foreach (var query in Queries)
        {
            bench.Query = query;
            for (var i = 0; i < 5; i++) await bench.FindContacts();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var wall = System.Diagnostics.Stopwatch.StartNew();
            var found = 0;
            for (var i = 0; i < iterations; i++) found = await bench.FindContacts();
            wall.Stop();
            process.Refresh();
            var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / iterations;
            output.WriteLine($"{query,-14} {found,3} hits  wall {wall.Elapsed.TotalMilliseconds / iterations,7:F1} ms/query  cpu {cpuMs,7:F1} ms/query");
        }
        bench.Cleanup();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Postgres is not null) return;   // the database is the caller's
        SqliteConnection.ClearAllPools();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_path) + "*")) File.Delete(f);
    }

    /// <summary>100,000 varied names (accents included) plus the ones the queries look for.</summary>
    public static void Fill(CrmDbContext db)
    {
        string[] first =
        [
            "John", "Jane", "Johann", "Joan", "Jon", "Maria", "María", "José", "Jürgen", "Zoë", "Søren", "François", "Anna", "Ana",
            "Peter", "Pierre", "Li", "Wei", "Aisha", "Fatima", "Omar", "Ola", "Ingrid", "Björn", "Chloé", "Noah", "Liam", "Emma",
            "Olivia", "Mia", "Lucas", "Mateo", "Sofía", "Hana", "Yuki", "Kenji", "Priya", "Arjun", "Ravi", "Sara", "David", "Daniel",
        ];
        string[] syllables =
        [
            "mül", "ler", "son", "berg", "stein", "mann", "ov", "ez", "ski", "da", "ri", "ko", "wa", "to", "ne", "la", "mar", "tin",
            "gar", "cia", "do", "e", "smi", "th", "jo", "nes", "wil", "li", "ams", "brown", "ta", "naka", "ha", "shi", "ro", "van",
        ];
        var random = new Random(42);
        // Plain ADO.NET that both engines take: quoted names, @ parameters, a UTC time (SQLite stores it as text).
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO \"Contacts\" (\"FirstName\", \"LastName\", \"SearchName\", \"CreatedAt\", \"UpdatedAt\") VALUES (@f, @l, @s, @t, @t)";
        DbParameter Parameter(string name, object? value = null)
        {
            var p = cmd.CreateParameter();
            (p.ParameterName, p.Value) = (name, value);
            cmd.Parameters.Add(p);
            return p;
        }
        var (pf, pl, ps) = (Parameter("@f"), Parameter("@l"), Parameter("@s"));
        Parameter("@t", new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc));
        void Add(string f, string l)
        {
            pf.Value = f;
            pl.Value = l;
            ps.Value = TextFold.Fold($"{f} {l}");
            cmd.ExecuteNonQuery();
        }
        for (var i = 0; i < Contacts - 3; i++)
        {
            var parts = random.Next(2, 4);
            var last = string.Concat(Enumerable.Range(0, parts).Select(_ => syllables[random.Next(syllables.Length)]));
            Add(first[random.Next(first.Length)], char.ToUpperInvariant(last[0]) + last[1..]);
        }
        Add("John", "Doe");
        Add("Jürgen", "Müller");
        Add("Jane", "Smith");
        tx.Commit();
        // What autovacuum would soon do to a freshly filled table: statistics to plan with, and the GIN indexes'
        // pending entries merged into them.
        if (!db.Database.IsSqlite()) db.Database.ExecuteSqlRaw("VACUUM ANALYZE \"Contacts\"");
    }
}

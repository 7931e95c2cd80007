using System.Diagnostics;
using CrmBot.Fakes.Postgres;
using Npgsql;

namespace CrmBot.Load;

/// <summary>
/// The PostgreSQL side of a load run: a cluster of this tool's own with PostgreSQL's durable settings (fsync on), the
/// generated store moved into it once with the service's own `copy-store` (timed: that is the verb's benchmark), and a
/// fresh copy of that database for each service start, as the SQLite runs get a fresh copy of the file.
/// </summary>
internal sealed class PostgresStore : IAsyncDisposable
{
    private const string Template = "bench";
    private readonly PostgresCluster _cluster;

    private PostgresStore(PostgresCluster cluster) => _cluster = cluster;

    /// <summary>How long `copy-store` took to move the generated store in.</summary>
    public TimeSpan CopyTime { get; private set; }

    public static async Task<PostgresStore> StartAsync(string sqliteTemplate, string executable)
    {
        var store = new PostgresStore(PostgresCluster.Local(PostgresSettings.Durable));
        try
        {
            // The copy the SQLite runs start from (digests off), so both engines begin with the same rows.
            var source = ServiceProcess.FreshStore(sqliteTemplate, "postgres-source.db");
            Console.WriteLine("Starting a PostgreSQL cluster (fsync on) and copying the generated store into it with copy-store…");
            await store._cluster.CreateTemplateAsync(Template, async target => store.CopyTime = await CopyAsync(executable, source, target));
            File.Delete(source);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new database holding the copied store, for one service start.</summary>
    public Task<string> FreshDatabaseAsync() => _cluster.CreateDatabaseAsync(Template);

    /// <summary>Dropped once its run is counted: a full run would otherwise keep dozens of copies on disk.</summary>
    public async Task DropAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await _cluster.ServerConnectionStringAsync());
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE \"{new NpgsqlConnectionStringBuilder(database).Database}\" WITH (FORCE)", connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public static long Count(string database, string table)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>The published service's `copy-store`, as an operator runs it; its time from start to exit.</summary>
    private static async Task<TimeSpan> CopyAsync(string executable, string sqlite, string target)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        foreach (var a in (string[])["copy-store", "--to", target]) start.ArgumentList.Add(a);
        start.Environment["ConnectionStrings__Crm"] = $"Data Source={sqlite}";
        var took = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        took.Stop();
        if (process.ExitCode != 0) throw new InvalidOperationException($"copy-store failed ({process.ExitCode}):\n{await stdout}{await stderr}");
        Console.WriteLine(await stdout);
        return took.Elapsed;
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}

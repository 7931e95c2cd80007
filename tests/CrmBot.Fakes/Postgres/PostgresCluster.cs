using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace CrmBot.Fakes.Postgres;

/// <summary>
/// A PostgreSQL server for tests and the load tool. <see cref="Shared"/> is the one per process: the
/// server named by <c>CRMBOT_TEST_POSTGRES</c> (a superuser connection string) if set, else a throwaway
/// cluster of its own (initdb in a fresh temp dir, 127.0.0.1 on a free port), started on first use and
/// stopped with its dir deleted when the process exits. Each test gets its own database
/// (<see cref="CreateDatabaseAsync"/>), migrated ones by copying a template made once
/// (<see cref="CreateTemplateAsync"/>). Thread-safe.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    public const string EnvironmentVariable = "CRMBOT_TEST_POSTGRES";
    public const string Superuser = "crm";
    private const string DirectoryPrefix = "crmbot-pg-";
    private const string DebianRoot = "/usr/lib/postgresql";

    private static readonly Lazy<PostgresCluster> SharedCluster = new(CreateShared);

    /// <summary>The process's cluster, started lazily; stopped at process exit (never dispose it).</summary>
    public static PostgresCluster Shared => SharedCluster.Value;

    private readonly string? _external;
    private readonly PostgresSettings _settings;
    private readonly Lazy<Task<string>> _server;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _templates = new();
    private readonly ConcurrentQueue<string> _created = new();
    // Several processes (test projects run in parallel) may share one external server: names never collide.
    private readonly string _runId = Guid.NewGuid().ToString("N")[..10];
    private string? _directory;
    private string? _pgCtl;
    private int _stopped;

    private PostgresCluster(string? external, PostgresSettings settings)
    {
        _external = external;
        _settings = settings;
        _server = new(() => _external is null ? StartLocalAsync() : Task.FromResult(_external));
    }

    /// <summary>A cluster of its own (e.g. the load tool's, with <see cref="PostgresSettings.Durable"/>); the caller disposes it.</summary>
    public static PostgresCluster Local(PostgresSettings? settings = null) => new(null, settings ?? PostgresSettings.Throwaway);

    /// <summary>An existing server, given by a superuser's connection string; what <c>CRMBOT_TEST_POSTGRES</c> selects.</summary>
    public static PostgresCluster External(string superuserConnectionString)
    {
        _ = new NpgsqlConnectionStringBuilder(superuserConnectionString);   // a malformed string fails here, not in some later test
        return new(superuserConnectionString, PostgresSettings.Throwaway);
    }

    private static PostgresCluster CreateShared()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var cluster = string.IsNullOrWhiteSpace(configured) ? Local() : External(configured);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopAsync().GetAwaiter().GetResult();
        return cluster;
    }

    /// <summary>A superuser's connection string to the server's maintenance database; starts the cluster if needed.</summary>
    public Task<string> ServerConnectionStringAsync() => _server.Value;

    /// <summary>A new, uniquely named database: empty, or a copy of a template made by <see cref="CreateTemplateAsync"/>.</summary>
    public async Task<string> CreateDatabaseAsync(string? template = null)
    {
        var server = await _server.Value;
        string? source = null;
        if (template is not null)
        {
            if (!_templates.TryGetValue(template, out var made))
                throw new ArgumentException($"No template '{template}': make it with CreateTemplateAsync first.", nameof(template));
            source = await made.Value;
        }
        var name = $"crm_{Guid.NewGuid():N}";
        await ExecuteAsync(server, source is null ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {source}");
        _created.Enqueue(name);
        return ForDatabase(server, name, pooled: true);
    }

    /// <summary>
    /// Makes template <paramref name="name"/> once per cluster: an empty database that <paramref name="fill"/>
    /// gets the connection string of (e.g. to migrate it). Callers at the same time share the one fill.
    /// </summary>
    public Task CreateTemplateAsync(string name, Func<string, Task> fill)
    {
        if (!TemplateName().IsMatch(name))
            throw new ArgumentException($"Template name '{name}': lower-case letters, digits and _, at most 30.", nameof(name));
        return _templates.GetOrAdd(name, n => new Lazy<Task<string>>(() => MakeTemplateAsync(n, fill))).Value;
    }

    private async Task<string> MakeTemplateAsync(string name, Func<string, Task> fill)
    {
        var server = await _server.Value;
        var physical = $"tpl_{name}_{_runId}";
        await ExecuteAsync(server, $"CREATE DATABASE {physical}");
        _created.Enqueue(physical);
        // Unpooled, so the fill leaves no connection behind that would make every copy fail.
        await fill(ForDatabase(server, physical, pooled: false));
        // A copy needs the template to have no sessions at all: end stragglers and allow no new ones.
        await ExecuteAsync(server,
            $"ALTER DATABASE {physical} WITH ALLOW_CONNECTIONS false; " +
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{physical}' AND pid <> pg_backend_pid()");
        return physical;
    }

    private static string ForDatabase(string server, string database, bool pooled)
    {
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = database, IncludeErrorDetail = true };
        if (pooled)
        {
            // Hundreds of test hosts each keep a pool on their own database: idle connections go back
            // quickly so together they stay under the server's max_connections.
            builder.Pooling = true;
            builder.MaxPoolSize = 20;
            builder.ConnectionIdleLifetime = 5;
            builder.ConnectionPruningInterval = 1;
        }
        else
        {
            builder.Pooling = false;
        }
        return builder.ConnectionString;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Own cluster: stopped at once and its dir deleted. External server: the databases made here are dropped.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || !_server.IsValueCreated) return;
        var started = _server.Value;
        try { await started; }
        catch { return; }   // never started: StartLocalAsync cleaned up after itself

        if (_external is not null)
        {
            foreach (var name in _created)
            {
                try { await ExecuteAsync(_external, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); }
                catch (NpgsqlException) { }   // the server went away first: nothing left to clean here
            }
            return;
        }
        await StopServerAsync(_pgCtl!, _directory!);
    }

    // ----- the throwaway cluster -----

    private async Task<string> StartLocalAsync()
    {
        var bin = FindServerPrograms(Environment.GetEnvironmentVariable("PATH"), DebianRoot) ?? throw Missing();
        _pgCtl = Path.Combine(bin, "pg_ctl");
        await ReapAbandonedAsync(_pgCtl);

        _directory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "owner"), Environment.ProcessId.ToString());
        try
        {
            if (RunsAsRoot) await RunAsync("chown", ["-R", "postgres:postgres", _directory], asPostgres: false);
            var data = Path.Combine(_directory, "data");
            var log = Path.Combine(_directory, "server.log");
            var init = await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-A", "trust", "-U", Superuser, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]);
            if (init.ExitCode != 0) throw Failed("initdb failed", init.Output, log);

            var conf = new StringBuilder().AppendLine()
                .AppendLine("listen_addresses = '127.0.0.1'")
                .AppendLine($"unix_socket_directories = '{_directory}'");
            foreach (var (key, value) in _settings.Parameters) conf.AppendLine($"{key} = '{value}'");
            await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), conf.ToString());

            // The free port may be taken between looking and binding (another run starting): try another.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var start = await RunAsync(_pgCtl, ["-D", data, "-l", log, "-o", $"-p {port}", "-w", "-t", "60", "start"]);
                if (start.ExitCode == 0)
                {
                    StartGuard(_pgCtl, _directory);
                    return new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1", Port = port, Username = Superuser, Database = "postgres", MaxPoolSize = 20,
                    }.ConnectionString;
                }
                if (attempt == 3 || !Tail(log).Contains("could not bind", StringComparison.Ordinal))
                    throw Failed("the server did not start", start.Output, log);
            }
        }
        catch
        {
            await StopServerAsync(_pgCtl, _directory);
            throw;
        }
    }

    /// <summary>
    /// A detached watcher that stops the server and deletes its dir once this process is gone: a test
    /// host is often ended (or killed) before its exit handlers finish, and the server would outlive it.
    /// </summary>
    private static void StartGuard(string pgCtl, string directory)
    {
        var stop = RunsAsRoot ? "runuser -u postgres -- \"$2\"" : "\"$2\"";
        var script = "exec </dev/null >/dev/null 2>&1; while kill -0 \"$1\"; do sleep 1; done; " +
                     $"{stop} -D \"$3/data\" -m immediate stop; rm -rf \"$3\"";
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in (string[])["-f", "sh", "-c", script, "crmbot-pg-guard", Environment.ProcessId.ToString(), pgCtl, directory])
            info.ArgumentList.Add(a);
        try { using var _ = Process.Start(info); }
        catch (System.ComponentModel.Win32Exception) { }   // no setsid (not Linux): the exit handler and the next run's reaping remain
    }

    private static async Task StopServerAsync(string pgCtl, string directory)
    {
        var data = Path.Combine(directory, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try { await RunAsync(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]); }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
        try { Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // the OS's temp cleanup takes it
    }

    /// <summary>Clusters of test processes that were killed before they could stop them.</summary>
    private static async Task ReapAbandonedAsync(string pgCtl)
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            try
            {
                var owner = Path.Combine(directory, "owner");
                if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), out var pid) || IsRunning(pid)) continue;
                await StopServerAsync(pgCtl, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try { using var process = Process.GetProcessById(pid); return !process.HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>The directory holding initdb and pg_ctl: on PATH, else Debian's highest installed version.</summary>
    internal static string? FindServerPrograms(string? path, string debianRoot)
    {
        static bool Has(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
        foreach (var dir in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (Has(dir)) return dir;
        if (!Directory.Exists(debianRoot)) return null;
        return Directory.EnumerateDirectories(debianRoot)
            .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: ParseVersion(Path.GetFileName(dir))))
            .Where(found => found.Version is not null && Has(found.Dir))
            .OrderByDescending(found => found.Version)
            .Select(found => found.Dir)
            .FirstOrDefault();
    }

    private static Version? ParseVersion(string name) => Version.TryParse(name.Contains('.') ? name : name + ".0", out var v) ? v : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // initdb refuses to run as root: the server programs then run as the postgres user the package creates.
    private static bool RunsAsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres = true)
    {
        var info = new ProcessStartInfo(asPostgres && RunsAsRoot ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not be able to enter the test's working directory.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres && RunsAsRoot)
            foreach (var a in (string[])["-u", "postgres", "--", program]) info.ArgumentList.Add(a);
        foreach (var a in arguments) info.ArgumentList.Add(a);

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within 2 minutes.");
        }
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static InvalidOperationException Missing() => new(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH or under " + DebianRoot + "/*/bin. " +
        "The tests start a throwaway PostgreSQL cluster of their own: install them (Debian/Ubuntu: " +
        "apt-get install postgresql), or set " + EnvironmentVariable + " to a superuser connection string of an existing server.");

    private static InvalidOperationException Failed(string what, string output, string log) => new(
        $"Could not start the test PostgreSQL cluster: {what}. Is PostgreSQL installed (Debian/Ubuntu: apt-get install postgresql)?" +
        $"{Environment.NewLine}{output.Trim()}{Environment.NewLine}server log (end):{Environment.NewLine}{Tail(log)}");

    private static string Tail(string log)
    {
        try { return string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(30)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "(no log)"; }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,29}$")]
    private static partial Regex TemplateName();
}

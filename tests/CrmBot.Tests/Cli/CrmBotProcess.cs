using System.Diagnostics;

namespace CrmBot.Tests.Cli;

/// <summary>
/// Runs the real executable (CrmBot.dll beside the tests) as an operator would: its own process,
/// its own console, configuration from the environment, the store given as a connection string.
/// </summary>
public static class CrmBotProcess
{
    public sealed record Result(int Exit, string Out, string Err)
    {
        public string All => Out + Err;
    }

    /// <summary>
    /// Puts a copy of the appsettings.json that ships with the executable into <paramref name="directory"/>, as an
    /// installation that kept its settings in the working directory (read there by earlier versions) would have.
    /// </summary>
    public static void UseShippedSettings(string directory) =>
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(directory, "appsettings.json"), overwrite: true);

    /// <param name="dbPath">The store, or null to leave ConnectionStrings:Crm to the settings files.</param>
    public static async Task<Result> RunAsync(string? dbPath, string workingDirectory, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = StartInfo(dbPath, workingDirectory, args, environment);
        start.RedirectStandardInput = stdin is not null;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The executable started from <paramref name="workingDirectory"/>, output redirected, nothing awaited.</summary>
    public static ProcessStartInfo StartInfo(string? dbPath, string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrmBot.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (dbPath is not null) start.Environment["ConnectionStrings__Crm"] = $"Data Source={dbPath}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }
}

using System.Diagnostics;
using CrmBot.Tests.Cli;

namespace CrmBot.Tests.Hosting;

/// <summary>
/// The real executable started from an empty folder, as a service manager or an operator's shell would: its
/// settings come from the folder it ships in (here, beside the tests), relative store paths from where it runs.
/// </summary>
public sealed class AppFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-appfolder-").FullName;
    private readonly List<string> _written = [];

    public void Dispose()
    {
        foreach (var file in _written) File.Delete(file);
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>An appsettings.{environment}.json beside CrmBot.dll, for an environment no other test uses.</summary>
    private string WriteEnvironmentSettings(string json)
    {
        var environment = $"AppFolder{Guid.NewGuid():N}";
        var file = Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json");
        File.WriteAllText(file, json);
        _written.Add(file);
        return environment;
    }

    /// <summary>A settings file that names the store (JSON-escaped: a Windows path has backslashes).</summary>
    private static string StoreSettings(string store) =>
        $$"""{ "ConnectionStrings": { "Crm": {{System.Text.Json.JsonSerializer.Serialize("Data Source=" + store)}} } }""";

    [Fact]
    public async Task Service_StartedElsewhere_AppliesTheShippedLogLevels()
    {
        // The shipped appsettings.json keeps EF Core at Warning; without it every SQL statement is logged.
        var start = CrmBotProcess.StartInfo(Path.Combine(_dir, "crm.db"), _dir, ["--urls", "http://127.0.0.1:0"]);
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains("Now listening on: ")) listening.TrySetResult(new Uri(e.Data[(e.Data.IndexOf("http", StringComparison.Ordinal))..].Trim()));
        }
        process.OutputDataReceived += Read;
        process.ErrorDataReceived += Read;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
            using var http = new HttpClient { BaseAddress = url };
            Assert.True((await http.GetAsync("/healthz")).IsSuccessStatusCode);   // a store query after the migration's
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var log = output.ToString();
        Assert.Contains("Now listening on", log);                 // the log is on: what is missing was filtered out
        Assert.DoesNotContain("Executed DbCommand", log);
        Assert.DoesNotContain("is not read", log);                // nothing in the working folder to warn about
        Assert.True(File.Exists(Path.Combine(_dir, "crm.db")));
    }

    [Fact]
    public async Task Verb_StartedElsewhere_ReadsTheEnvironmentsSettingsFileFromTheAppFolder()
    {
        var store = Path.Combine(_dir, "configured", "crm.db");
        Directory.CreateDirectory(Path.GetDirectoryName(store)!);
        var environment = WriteEnvironmentSettings(StoreSettings(store));

        var run = await CrmBotProcess.RunAsync(null, _dir, ["migrate"], environment: new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = environment });

        Assert.True(run.Exit == 0, run.All);
        Assert.True(File.Exists(store), run.All);
        Assert.False(File.Exists(Path.Combine(_dir, "crmbot.db")));
    }

    [Fact]
    public async Task RelativeStorePath_ResolvesInTheWorkingFolder_NotTheAppFolder()
    {
        // Where a store has always been: moving it to the app folder would start existing installations on an empty one.
        var name = $"crmbot-relative-{Guid.NewGuid():N}.db";

        var run = await CrmBotProcess.RunAsync(name, _dir, ["migrate"]);

        Assert.True(run.Exit == 0, run.All);
        Assert.True(File.Exists(Path.Combine(_dir, name)));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, name)));
    }

    [Fact]
    public async Task SettingsFileInTheWorkingFolder_ThatDiffers_IsNamedAsNotRead()
    {
        // Earlier versions read settings from the working folder: an operator who kept them there must hear that they are
        // no longer applied, rather than find the service on another store.
        var stray = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(stray, """{ "ConnectionStrings": { "Crm": "Data Source=kept-here.db" } }""");

        var run = await CrmBotProcess.RunAsync(Path.Combine(_dir, "crm.db"), _dir, ["migrate"]);

        Assert.True(run.Exit == 0, run.All);
        Assert.Contains($"{stray} is not read", run.Err);
        Assert.Contains("DOTNET_CONTENTROOT", run.Err);
    }

    [Fact]
    public async Task SettingsFileInTheWorkingFolder_IsRead_WhenDotnetContentRootNamesIt()
    {
        // What the warning offers an installation that keeps its settings where it runs.
        var store = Path.Combine(_dir, "kept-here.db");
        File.WriteAllText(Path.Combine(_dir, "appsettings.json"), StoreSettings(store));

        var run = await CrmBotProcess.RunAsync(null, _dir, ["migrate"], environment: new Dictionary<string, string> { ["DOTNET_CONTENTROOT"] = _dir });

        Assert.True(run.Exit == 0, run.All);
        Assert.True(File.Exists(store), run.All);
        Assert.Equal("", run.Err);
    }

    [Fact]
    public async Task SettingsFileInTheWorkingFolder_SameAsShipped_IsNotWarnedAbout()
    {
        CrmBotProcess.UseShippedSettings(_dir);

        var run = await CrmBotProcess.RunAsync(Path.Combine(_dir, "crm.db"), _dir, ["migrate"]);

        Assert.True(run.Exit == 0, run.All);
        Assert.Equal("", run.Err);
    }
}

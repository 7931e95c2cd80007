using System.Security.Cryptography;
using System.Text.Json;
using CrmBot.Crm;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `import contacts` through the real executable, in its own process (its console, its
/// configuration from the environment, its own SQLite file), as an admin would run it.
/// </summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-import-cli-").FullName;
    private readonly string _csv;
    private string DbPath => Path.Combine(_dir, "crm.db");

    public ImportCommandTests()
    {
        _csv = Path.Combine(_dir, "legacy.csv");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "contacts-legacy-export.csv"), _csv);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var r = await CrmBotProcess.RunAsync(DbPath, _dir, args);
        return (r.Exit, r.Out, r.Err);
    }

    private string DbHash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(DbPath)));

    private async Task<int> CountContactsAsync()
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, $"Data Source={DbPath};Pooling=False");
        await using var db = new CrmDbContext(builder.Options);
        return await db.Contacts.CountAsync();
    }

    [Fact]
    public async Task DryRun_WritesNothing_Commit_Imports_SecondCommit_ChangesNothing()
    {
        // Dry run on a store that does not exist yet: a readable report, and no database file afterwards.
        var dry = await RunAsync("import", "contacts", _csv);
        Assert.True(dry.Exit == 0, dry.Err);
        Assert.Contains("Dry run", dry.Out);
        Assert.Contains("1686", dry.Out);
        Assert.False(File.Exists(DbPath));
        var flagged = await File.ReadAllLinesAsync(Path.Combine(_dir, "legacy.flagged.csv"));
        Assert.StartsWith("Row,Reasons,First Name,Last Name,Email", flagged[0].TrimStart('\uFEFF'));
        Assert.Equal(1 + 847, flagged.Length);
        Assert.StartsWith("3,phone '047 5828 4881' is a national number", flagged[1]);

        var commit = await RunAsync("import", "contacts", _csv, "--commit", "--json");
        Assert.True(commit.Exit == 0, commit.Err);
        var report = JsonDocument.Parse(commit.Out).RootElement;
        Assert.True(report.GetProperty("committed").GetBoolean());
        Assert.Equal(1686, report.GetProperty("contactsCreated").GetInt32());
        Assert.Equal(314, report.GetProperty("rowsMerged").GetInt32());
        Assert.Equal(847, report.GetProperty("rowsFlagged").GetInt32());
        Assert.Equal(14, report.GetProperty("companiesCreated").GetInt32());
        Assert.Equal(847, report.GetProperty("flagged").GetArrayLength());
        Assert.Equal(1686, await CountContactsAsync());

        // A dry run against the filled store: the report of a no-op, and the file byte for byte the same.
        var hash = DbHash();
        var dryAgain = await RunAsync("import", "contacts", _csv, "--json");
        Assert.True(dryAgain.Exit == 0, dryAgain.Err);
        var again = JsonDocument.Parse(dryAgain.Out).RootElement;
        Assert.False(again.GetProperty("committed").GetBoolean());
        Assert.Equal(2000, again.GetProperty("rowsMatchedExisting").GetInt32());
        Assert.Equal(hash, DbHash());

        var second = await RunAsync("import", "contacts", _csv, "--commit", "--json");
        Assert.True(second.Exit == 0, second.Err);
        var secondReport = JsonDocument.Parse(second.Out).RootElement;
        Assert.Equal(0, secondReport.GetProperty("contactsCreated").GetInt32());
        Assert.Equal(0, secondReport.GetProperty("contactsUpdated").GetInt32());
        Assert.Equal(1686, await CountContactsAsync());
    }

    [Fact]
    public async Task Json_TheWholeStdoutIsOneJsonDocument_AndNoInformationIsLogged()
    {
        var dry = await RunAsync("import", "contacts", _csv, "--json");
        var commit = await RunAsync("import", "contacts", _csv, "--commit", "--json");

        foreach (var run in new[] { dry, commit })
        {
            Assert.True(run.Exit == 0, run.Err);
            // Parse refuses anything before or after the one document, a log line included.
            using var report = JsonDocument.Parse(run.Out);
            Assert.Equal(JsonValueKind.Object, report.RootElement.ValueKind);
            Assert.DoesNotContain("info:", run.Out + run.Err);
        }
    }

    [Theory]
    [InlineData("missing", new string[0], "File not found")]
    [InlineData("empty", new string[0], "The file is empty")]
    [InlineData("legacy", new[] { "--map", "Email=e-mail" }, "unknown field 'e-mail'")]
    [InlineData("legacy", new[] { "--default-region", "XX" }, "--default-region 'XX'")]
    public async Task BadInput_IsAClearError_NonZeroExit_NothingWritten(string file, string[] extra, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "empty.csv"), "");
        var result = await RunAsync(["import", "contacts", Path.Combine(_dir, file + ".csv"), "--commit", .. extra]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Err);
        Assert.Contains("Nothing was written", result.Err);
        Assert.False(File.Exists(DbPath));
    }
}

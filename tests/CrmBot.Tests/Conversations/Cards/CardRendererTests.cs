using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;

namespace CrmBot.Tests.Conversations.Cards;

/// <summary>
/// Every card, bound to its sample, parsed by the official Adaptive Cards library (npm `adaptivecards`, pinned in
/// tests/card-renderer): no parse or validation error, and no element it does not know without a fallback.
/// Needs node and npm; node_modules is installed there with `npm ci` when missing.
/// </summary>
public class CardRendererTests
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    private static string RendererFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "card-renderer");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new Xunit.Sdk.XunitException($"tests/card-renderer not found above {AppContext.BaseDirectory}");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string folder, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"`{file}` could not be started ({e.Message}): the card renderer check needs Node.js and npm on PATH (https://nodejs.org).");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    private static async Task<(int Exit, string Output)> CheckAsync(IEnumerable<(string Name, JsonNode Card)> cards)
    {
        var folder = RendererFolder();
        await Install.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "adaptivecards")))
            {
                var install = await RunAsync(folder, "npm", "ci", "--no-audit", "--no-fund");
                Assert.True(install.Exit == 0, $"npm ci in {folder} failed:\n{install.Output}");
            }
        }
        finally
        {
            Install.Release();
        }
        var dir = Directory.CreateTempSubdirectory("cards-");
        try
        {
            foreach (var (name, card) in cards) await File.WriteAllTextAsync(Path.Combine(dir.FullName, name + ".json"), card.ToJsonString());
            return await RunAsync(folder, "node", "check-cards.js", dir.FullName);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task EveryBoundSampleCard_IsAcceptedByTheOfficialRenderer()
    {
        var cards = Directory.GetFiles(CardTemplates.DefaultDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).Order()
            .Select(name => (name!, (JsonNode)new CardTemplates().Bind(name!,
                JsonNode.Parse(File.ReadAllText(Path.Combine(CardTemplates.DefaultDirectory, "samples", name + ".data.json"))))))
            .ToList();

        var (exit, output) = await CheckAsync(cards);

        Assert.True(exit == 0, output);
        Assert.Contains($"{cards.Count} cards parsed", output);
    }

    [Fact]
    public async Task AnUnknownElementWithoutFallback_IsRejected_WithOneItIsAccepted()
    {
        static JsonNode Card(JsonObject element) => new JsonObject
        {
            ["type"] = "AdaptiveCard", ["version"] = "1.5",
            ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = "Pipeline" }, element),
        };

        var bare = await CheckAsync([("bare", Card(new JsonObject { ["type"] = "Chart.VerticalBar", ["data"] = new JsonArray() }))]);
        var withFallback = await CheckAsync([("fallback", Card(new JsonObject
        {
            ["type"] = "Chart.VerticalBar", ["data"] = new JsonArray(),
            ["fallback"] = new JsonObject { ["type"] = "TextBlock", ["text"] = "Lead ████ 1" },
        }))]);

        Assert.Equal(1, bare.Exit);
        Assert.Contains("Chart.VerticalBar", bare.Output);
        Assert.Equal(0, withFallback.Exit);
    }
}

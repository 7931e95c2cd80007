using System.Text.Json.Nodes;

namespace CrmBot.Tests.Hosting;

/// <summary>
/// The runtime settings the service ships with (CrmBot.csproj → CrmBot.runtimeconfig.json, copied next to the
/// service's assembly in this test's output). The GC reads them before any code of ours runs, so the file is what counts.
/// </summary>
public class RuntimeConfigTests
{
    private static JsonObject ConfigProperties()
    {
        var path = Path.ChangeExtension(typeof(Program).Assembly.Location, ".runtimeconfig.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        return root["runtimeOptions"]!["configProperties"]!.AsObject();
    }

    [Fact]
    public void YoungGeneration_IsCapped_SoPeakMemoryDoesNotFollowTheCpusCacheSize()
    {
        // Without the cap, peak RSS under load reached ~250 MB on a CPU with a 260 MB L3 (finding 31).
        // The key is the one the runtime reads: checked against GC counts with a small program.
        var budget = ConfigProperties()["System.GC.Gen0MaxBudget"];

        Assert.NotNull(budget);
        Assert.InRange(budget.GetValue<long>(), 4L << 20, 32L << 20);
    }

    [Fact]
    public void TieredCompilation_RunsWithoutInstrumentedPgo()
    {
        var properties = ConfigProperties();

        Assert.False(properties["System.Runtime.TieredPGO"]!.GetValue<bool>());
        Assert.Equal(10, properties["System.Runtime.TieredCompilation.CallCountingDelayMs"]!.GetValue<int>());
    }
}

using CrmBot.Cli;

namespace CrmBot.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public class CrmCommandLineTests
{
    [Fact]
    public async Task UnknownVerb_ExitsWithUsage_InsteadOfServing()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var code = await CrmCommandLine.InvokeAsync(["imprt", "contacts", "x.csv"]);

            Assert.Equal(2, code);
            Assert.Contains("Unknown verb 'imprt'", error.ToString());
            Assert.Contains("migrate", error.ToString());
        }
        finally
        {
            Console.SetError(original);
        }
    }
}

/// <summary>Tests that swap Console streams must not run in parallel with each other.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

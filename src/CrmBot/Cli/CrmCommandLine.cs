using System.CommandLine;

namespace CrmBot.Cli;

/// <summary>The verbs. Each lives in its own file; this is the list.</summary>
public static class CrmCommandLine
{
    public static Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("CrmBot: a CRM that lives in Microsoft Teams and Slack.")
        {
            // With no verb we serve HTTP, and whatever ASP.NET Core options were given
            // (--urls, --environment, the test host's --contentRoot) pass through untouched.
            TreatUnmatchedTokensAsErrors = false,
        };
        root.SetAction((_, ct) => ServeCommand.RunAsync(args, ct));

        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(SeedDemoCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());

        var parse = root.Parse(args);
        // The test host stops Main by throwing from Build(); let that through instead of printing it.
        return parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}

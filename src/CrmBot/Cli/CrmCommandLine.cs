using System.CommandLine;
using CrmBot.Crm;

namespace CrmBot.Cli;

/// <summary>The verbs. Each lives in its own file; this is the list.</summary>
public static class CrmCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("CrmBot: a CRM that lives in Microsoft Teams and Slack.")
        {
            // With no verb we serve HTTP, and whatever ASP.NET Core options were given
            // (--urls, --environment, the test host's --contentRoot) pass through untouched.
            TreatUnmatchedTokensAsErrors = false,
        };
        root.SetAction((_, ct) => args.Length > 0 && !args[0].StartsWith('-')
            ? UnknownVerbAsync(args[0], root)
            : ServeCommand.RunAsync(args, ct));

        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(SeedDemoCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(PackageTeamsCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(SurveyExportCommand.Create());
        root.Subcommands.Add(MembersCommand.Create());
        root.Subcommands.Add(CopyStoreCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());

        var parse = root.Parse(args);
        try
        {
            // The test host stops Main by throwing from Build(); let that through instead of printing it.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (StoreErrors.Unreachable(ex) is { } why)
        {
            // The service and every verb: a store that cannot be reached is a setting to fix, not a crash to read.
            Console.Error.WriteLine(why);
            return 1;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException invalid)
        {
            // Settings checked at start already say what to change; the stack trace under them would only bury it.
            foreach (var failure in invalid.Failures) Console.Error.WriteLine(failure);
            return 1;
        }
    }

    /// <summary>
    /// A mistyped verb ("imprt") must not quietly start the server: only options may reach it.
    /// </summary>
    private static Task<int> UnknownVerbAsync(string verb, RootCommand root)
    {
        var verbs = string.Join(", ", root.Subcommands.Select(c => c.Name));
        Console.Error.WriteLine($"Unknown verb '{verb}'. Verbs: {verbs}. With no verb, CrmBot serves HTTP.");
        return Task.FromResult(2);
    }
}

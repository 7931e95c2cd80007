using System.CommandLine;
using CrmBot.Channels.Terminal;
using Spectre.Console;

namespace CrmBot.Cli;

/// <summary>`chat`: talk to CrmBot in the terminal, against the same engine and store (works with piped stdin too).</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var seed = new Option<bool>("--seed") { Description = "Create the demo workspace first if the store is empty (no question asked)." };
        var actAs = new Option<string?>("--as")
        {
            Description = "Speak as another member (their number or name), e.g. a manager or an admin; a new name starts a new terminal member.",
            HelpName = "member",
        };
        var command = new Command("chat", "Talk to CrmBot in this terminal: the same engine and store as Teams and Slack.") { seed, actAs };
        command.SetAction(async (parse, ct) =>
        {
            using var host = CliHost.Create();
            var piped = Console.IsInputRedirected;
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(Console.Out),
                Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                Interactive = piped ? InteractionSupport.No : InteractionSupport.Detect,
            });
            return await new TerminalChat(host.Services, Console.In, console, Console.Error, interactive: !piped)
                .RunAsync(parse.GetValue(seed), parse.GetValue(actAs), ct);
        });
        return command;
    }
}

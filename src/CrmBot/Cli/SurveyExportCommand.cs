using System.CommandLine;
using CrmBot.Crm.Surveys;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Cli;

/// <summary>
/// `survey-export 3 --out results.csv`: the survey's results as a CSV file. The same table the
/// admin sees in chat (hidden groups stay hidden), never raw responses.
/// </summary>
internal static class SurveyExportCommand
{
    public static Command Create()
    {
        var id = new Argument<int>("survey") { Description = "The survey number (see `surveys` in chat)." };
        var output = new Option<FileInfo?>("--out") { Description = "The file to write; the terminal when omitted." };
        var command = new Command("survey-export", "Write a survey's results (never raw responses) as CSV.") { id, output };
        command.SetAction((parse, ct) => CliHost.RunAsync(writes: false, async services =>
        {
            var surveys = services.GetRequiredService<SurveyService>();
            try
            {
                var csv = await surveys.ExportCsvAsync(parse.GetValue(id), SurveyService.Operator, ct);
                if (parse.GetValue(output) is { } file)
                {
                    await File.WriteAllTextAsync(file.FullName, csv, ct);
                    Console.WriteLine($"Wrote {file.FullName}.");
                }
                else
                {
                    Console.Write(csv);
                }
                return 0;
            }
            catch (SurveyNotFoundException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        }, ct));
        return command;
    }
}

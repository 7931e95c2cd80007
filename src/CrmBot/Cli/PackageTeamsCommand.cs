using System.CommandLine;
using CrmBot.Channels.Teams;

namespace CrmBot.Cli;

internal static class PackageTeamsCommand
{
    public static Command Create()
    {
        var appId = new Option<string>("--app-id") { Description = "The Azure Bot's Microsoft App ID (GUID).", Required = true };
        var host = new Option<string>("--host") { Description = "Public host of the service, e.g. crm.example.com (the tunnel's host while testing).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the zip.", DefaultValueFactory = _ => new FileInfo("crmbot-teams.zip") };
        var command = new Command("package-teams", "Write the Teams app package (manifest + icons) to upload to Teams.") { appId, host, output };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(output)!;
            try
            {
                using var buffer = new MemoryStream();
                TeamsAppPackage.Write(TeamsAppPackage.TemplateDirectory, parse.GetValue(appId)!, parse.GetValue(host)!, buffer);
                File.WriteAllBytes(file.FullName, buffer.ToArray());
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
            Console.WriteLine($"Wrote {file.FullName}. Upload it in Teams: Apps > Manage your apps > Upload an app.");
            return 0;
        });
        return command;
    }
}

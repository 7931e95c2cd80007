using System.Runtime.CompilerServices;

namespace CrmBot.Tests;

/// <summary>
/// Points the user's data folder (where an unconfigured service keeps its survey participation
/// key) at a folder of this test run, before any test starts: the suite must never write into the
/// home directory of the machine it runs on. Processes the tests start inherit it.
/// </summary>
internal static class TestEnvironment
{
    public static string UserDataFolder { get; } = Directory.CreateTempSubdirectory("crmbot-userdata-").FullName;

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("XDG_DATA_HOME", UserDataFolder);
        Environment.SetEnvironmentVariable("LOCALAPPDATA", UserDataFolder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(UserDataFolder, recursive: true); }
            catch (IOException) { }   // a key still open by a process that outlived the run: the OS's temp cleanup takes it
        };
    }
}

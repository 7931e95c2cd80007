using System.Runtime.CompilerServices;

namespace CrmBot.Tests;

/// <summary>
/// Points the user's data folder (where an unconfigured service keeps its survey participation
/// key) at a folder of this test run, before any test starts: the suite must never write into the
/// home directory of the machine it runs on. Processes the tests start inherit it.
/// </summary>
internal static class TestEnvironment
{
    // Not created here: only a run that generates a key makes it (ParticipationKeys creates the folder, owner-only).
    public static string UserDataFolder { get; } = Path.Combine(Path.GetTempPath(), $"crmbot-userdata-{Guid.NewGuid():N}");

    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("XDG_DATA_HOME", UserDataFolder);
        Environment.SetEnvironmentVariable("LOCALAPPDATA", UserDataFolder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(UserDataFolder)) Directory.Delete(UserDataFolder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a key still open by a process that outlived the run: the OS's temp cleanup takes it
        };
    }
}

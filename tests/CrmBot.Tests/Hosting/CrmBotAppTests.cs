using CrmBot.Hosting;
using Microsoft.Extensions.Configuration;

namespace CrmBot.Tests.Hosting;

public class CrmBotAppTests
{
    private static IEnumerable<FileConfigurationSource> FileSources(params string[] args)
    {
        var app = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=hosting-unused.db", "--environment=Testing", .. args]);
        return ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().Select(p => p.Source);
    }

    [Fact]
    public void Settings_AreReadAtStart_NotWatched()
    {
        // The store sits in the content root by default; a watch there wakes on every SQLite write.
        var sources = FileSources().ToList();

        Assert.Contains(sources, s => s.Path == "appsettings.json");
        Assert.All(sources, s => Assert.False(s.ReloadOnChange, $"{s.Path} is watched"));
    }

    [Fact]
    public void Watching_CanBeTurnedBackOn_FromTheCommandLine()
    {
        var sources = FileSources("--hostBuilder:reloadConfigOnChange=true").ToList();

        Assert.Contains(sources, s => s.Path == "appsettings.json" && s.ReloadOnChange);
    }
}

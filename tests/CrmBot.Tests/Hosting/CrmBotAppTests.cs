using CrmBot.Crm;
using CrmBot.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
    public async Task ContentRoot_IsTheAppFolder_UnlessTheCommandLineNamesAnother()
    {
        await using var shipped = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=hosting-unused.db", "--environment=Testing"]);
        var elsewhere = Directory.CreateTempSubdirectory("crmbot-contentroot-").FullName;
        try
        {
            await using var named = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=hosting-unused.db", "--environment=Testing",
                "--contentRoot", elsewhere]);

            Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory),
                Path.TrimEndingDirectorySeparator(shipped.Environment.ContentRootPath));
            Assert.Equal(Path.TrimEndingDirectorySeparator(elsewhere), Path.TrimEndingDirectorySeparator(named.Environment.ContentRootPath));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public void Watching_CanBeTurnedBackOn_FromTheCommandLine()
    {
        var sources = FileSources("--hostBuilder:reloadConfigOnChange=true").ToList();

        Assert.Contains(sources, s => s.Path == "appsettings.json" && s.ReloadOnChange);
    }

    [Fact]
    public async Task EachScope_BorrowsTheServicesReusedContext()
    {
        // Without this the service would build a context (and reopen its connection) for every turn.
        var path = Path.Combine(Path.GetTempPath(), $"crmbot-hosting-{Guid.NewGuid():N}.db");
        try
        {
            await using var app = CrmBotApp.Build([$"--ConnectionStrings:Crm=Data Source={path}", "--environment=Testing"]);
            CrmDbContext first;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                first = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
                Assert.Same(app.Services.GetRequiredService<StoreSessions>(), first.Sessions);
            }
            await using (var scope = app.Services.CreateAsyncScope())
                Assert.Same(first, scope.ServiceProvider.GetRequiredService<CrmDbContext>());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(f);
        }
    }

    [Fact]
    public async Task ASettingThePipelineTookOver_LeftInItsOldSection_StopsTheStart_SayingWhereItGoes()
    {
        await using var app = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=hosting-unused.db", "--environment=Testing",
            "--Bot:MaxConcurrentTurns=8", "--Slack:WorkLease=00:05:00"]);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CrmBot.Conversations.Pipeline.PipelineOptions>>().Value);
        Assert.Contains("Bot:MaxConcurrentTurns is now Pipeline:MaxConcurrentTurns", error.Message);
        Assert.Contains("Slack:WorkLease is now Pipeline:WorkLease", error.Message);
    }

    [Fact]
    public async Task TheCliAndTheService_OfferTheSameChatCommands_InTheSameOrder()
    {
        // Both take them from AddCrmBotCore: a command registered for one only would answer in Teams and Slack
        // but not at the terminal, or claim a message in a different order there.
        var path = Path.Combine(Path.GetTempPath(), $"crmbot-hosting-{Guid.NewGuid():N}.db");
        try
        {
            await using var app = CrmBotApp.Build([$"--ConnectionStrings:Crm=Data Source={path}", "--environment=Testing"]);
            using var cli = CrmBot.Cli.CliHost.Create();

            var service = FeatureTypes(app.Services);
            Assert.Contains(typeof(CrmBot.Proactive.ProactiveFeature), service);
            Assert.Contains(typeof(CrmBot.Conversations.Surveys.SurveyFeature), service);
            Assert.Equal(service, FeatureTypes(cli.Services));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(f);
        }
    }

    private static List<Type> FeatureTypes(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        return scope.ServiceProvider.GetServices<CrmBot.Conversations.Engine.IChatFeature>().Select(f => f.GetType()).ToList();
    }

    [Fact]
    public async Task TheStore_IsCheckpointedInTheBackground()
    {
        // Its connections then leave checkpoints to it (WalCheckpointerTests); a turn would otherwise pay for them (finding 34).
        await using var app = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=hosting-unused.db", "--environment=Testing"]);

        Assert.Single(app.Services.GetServices<IHostedService>().OfType<WalCheckpointer>());
    }

    [Theory]
    [InlineData("ConnectorClient")]
    [InlineData("SlackApiClient")]
    [InlineData("BotTokenProvider")]
    public async Task OutboundClients_OpenNoLogScopePerRequest_ButKeepTheirResilience(string client)
    {
        await using var app = CrmBotApp.Build(["--ConnectionStrings:Crm=Data Source=hosting-unused.db", "--environment=Testing"]);
        var handlers = new List<HttpMessageHandler>();
        for (HttpMessageHandler? h = app.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client); h is not null;
             h = (h as DelegatingHandler)?.InnerHandler)
            handlers.Add(h);

        // IHttpClientFactory's logging handlers log nothing at the configured Warning, yet cost a scope per request (finding 31).
        Assert.DoesNotContain(handlers, h => h.GetType().Namespace == "Microsoft.Extensions.Http.Logging");
        if (client != "BotTokenProvider")
            Assert.Contains(handlers, h => h.GetType().Name == "ResilienceHandler");
    }
}

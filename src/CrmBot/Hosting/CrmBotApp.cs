using CrmBot.Channels.Teams;
using CrmBot.Channels.Slack;
using CrmBot.Crm;
using CrmBot.Proactive;
using CrmBot.Surveys;

namespace CrmBot.Hosting;

/// <summary>The HTTP service, read top to bottom: what it is made of, then what it answers.</summary>
public static class CrmBotApp
{
    public static WebApplication Build(string[] args)
    {
        // Settings are read at start, not watched: the reload watch covers the content root recursively,
        // and the store can live there (crmbot.db, run from the app folder), so every committed turn woke the
        // watcher (docs/decisions/performance.md, finding 13). Settings come from the app folder, wherever the
        // service is started (AppFolder). Later arguments can change either.
        var builder = WebApplication.CreateBuilder(
            ["--hostBuilder:reloadConfigOnChange=false", $"--contentRoot={AppFolder.ContentRoot}", .. args]);

        // First: hosted services start in registration order, and the Slack worker's start-up sweep (and
        // every other service's first look at the store) must find it migrated.
        builder.Services.AddHostedService<StoreMigrationService>();
        builder.Services.AddCrmBotCore(builder.Configuration).AddStoreSessions();
        // IHttpClientFactory's logging handlers open a log scope on every request and log only below Warning, where
        // System.Net.Http.HttpClient is set: a cost on every reply posted, for nothing logged (docs/decisions/performance.md, finding 31).
        // Failures still reach our own logs through the callers and Polly's telemetry.
        builder.Services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());
        builder.Services.AddTeams(builder.Configuration);
        builder.Services.AddSlack(builder.Configuration);
        builder.Services.AddSurveyReminders();
        builder.Services.AddProactiveDelivery();
        builder.Services.AddTelemetry(builder.Configuration);
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");

        var app = builder.Build();
        AppFolder.WarnAboutUnreadSettings(app.Services);

        app.MapHealth();
        app.MapTeams();
        app.MapSlack();
        return app;
    }
}

using CrmBot.Conversations.Pipeline;
using System.Net;
using CrmBot.Proactive;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace CrmBot.Channels.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>The Slack channel: options, Web API client, Block Kit renderer, work queue and its workers.</summary>
    public static IServiceCollection AddSlack(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlackOptions>().Bind(configuration.GetSection(SlackOptions.Section))
            .PostConfigure(o =>
            {
                // Relative method names resolve under the base only when it ends in a slash.
                if (!o.ApiBaseUrl.AbsoluteUri.EndsWith('/')) o.ApiBaseUrl = new Uri(o.ApiBaseUrl.AbsoluteUri + "/");
            })
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();

        services.AddHttpClient<SlackApiClient>(c => c.Timeout = TimeSpan.FromSeconds(15))
            .AddResilienceHandler("slack", (pipeline, context) =>
            {
                var retryDelay = context.ServiceProvider.GetRequiredService<IOptions<SlackOptions>>().Value.RetryDelay;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 3,
                    BackoffType = DelayBackoffType.Exponential,
                    Delay = retryDelay,
                    MaxDelay = TimeSpan.FromSeconds(60),
                    ShouldRetryAfterHeader = true,   // Slack's 429 says how long to wait
                    // Only answers that say "not done": a timeout may have posted the message already.
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode is
                        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout),
                });
            });

        services.AddSingleton<SlackSignatureFilter>();
        services.AddSingleton<SlackWorkQueue>();
        services.AddSingleton<IRedoableChannel>(sp => sp.GetRequiredService<SlackWorkQueue>());
        services.AddHostedService<SlackWorker>();
        services.AddScoped<PayloadParking>();
        services.AddScoped<SlackCardRenderer>();
        services.AddScoped<SlackUserDirectory>();
        services.AddScoped<SlackActivities>();
        services.AddScoped<SlackDelivery>();
        services.AddScoped<SlackSender>();
        services.TryAddSingleton<ReplyOutbox>();
        return services;
    }
}

using System.Net;
using System.Text.Json;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests;

public class HealthTests
{
    [Fact]
    public async Task Healthz_OnFreshStore_MigratesAndReportsHealthy()
    {
        using var factory = new CrmBotFactory();
        var client = factory.CreateClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("ok", doc.RootElement.GetProperty("checks").GetProperty("store").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Healthz_FromLoopback_ShowsTheChecks()
    {
        using var factory = new CrmBotFactory();
        using var local = From(factory, IPAddress.Loopback);

        using var doc = JsonDocument.Parse(await local.CreateClient().GetStringAsync("/healthz"));

        Assert.Equal("ok", doc.RootElement.GetProperty("checks").GetProperty("store").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Healthz_FromOutside_ShowsOnlyTheWord_UnlessTheDetailsKeyIsSent()
    {
        using var factory = new CrmBotFactory().With("Health:DetailsKey", "let-me-see");
        using var outside = From(factory, IPAddress.Parse("203.0.113.7"));
        var client = outside.CreateClient();

        var plain = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        using (var doc = JsonDocument.Parse(await plain.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Healthy", doc.RootElement.GetProperty("status").GetString());
            Assert.False(doc.RootElement.TryGetProperty("checks", out _));
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { { "X-Health-Key", "guess" } } };
        using (var doc = JsonDocument.Parse(await (await client.SendAsync(wrong)).Content.ReadAsStringAsync()))
            Assert.False(doc.RootElement.TryGetProperty("checks", out _));

        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { { "X-Health-Key", "let-me-see" } } };
        using (var doc = JsonDocument.Parse(await (await client.SendAsync(keyed)).Content.ReadAsStringAsync()))
            Assert.Equal("ok", doc.RootElement.GetProperty("checks").GetProperty("store").GetProperty("detail").GetString());
    }

    /// <summary>The test server's requests carry no remote address; this one gives every request <paramref name="caller"/>'s.</summary>
    private static WebApplicationFactory<Program> From(CrmBotFactory factory, IPAddress caller) =>
        factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new CallerFilter(caller))));

    private sealed class CallerFilter(IPAddress caller) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = caller;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

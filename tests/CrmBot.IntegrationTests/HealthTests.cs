using System.Net;
using System.Text.Json;
using CrmBot.IntegrationTests.Infrastructure;

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
}

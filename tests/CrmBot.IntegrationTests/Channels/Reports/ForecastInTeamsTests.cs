using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.IntegrationTests.Channels.Teams;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Reports;

/// <summary>`forecast` in Teams through POST /api/messages: the bar chart per currency with its text fallback.</summary>
public class ForecastInTeamsTests(EngineHost host) : IClassFixture<EngineHost>
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private async Task<JsonObject?> SayAsync(string text, string user)
    {
        var activity = host.Sample("message-personal");
        activity["from"]!["id"] = user;
        activity["from"]!["aadObjectId"] = Guid.NewGuid().ToString();
        activity["conversation"]!["id"] = "a:" + user;
        activity["text"] = text;
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>())).Card;
    }

    private static IEnumerable<JsonObject> Elements(JsonNode? node) => node switch
    {
        JsonObject o => (o["type"] is JsonValue ? [o] : Array.Empty<JsonObject>()).Concat(o.SelectMany(p => Elements(p.Value))),
        JsonArray a => a.SelectMany(Elements),
        _ => [],
    };

    [Fact]
    public async Task ManagersForecast_IsTheBarChart_WithItsTextFallback()
    {
        var user = "29:" + Guid.NewGuid().ToString("N");
        await SayAsync("help", user);
        var me = await host.WithStoreAsync(db => db.Members.SingleAsync(m => m.UserId == user));
        // Mid-quarter in the member's zone (the sample's), so both deals are due in this quarter whatever today is.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles")).DateTime);
        var due = ReportPeriod.ThisQuarter(today).From.AddDays(45);
        await host.WithStoreAsync(async db =>
        {
            (await db.Members.SingleAsync(m => m.Id == me.Id)).Role = MemberRole.Manager;
            var rep = new Member { Channel = "test", TenantId = "T", UserId = "rep-" + user[^6..], DisplayName = "Rep " + user[^6..], ManagerId = me.Id };
            db.Members.Add(rep);
            await db.SaveChangesAsync();
            db.Deals.AddRange(
                new Deal { Name = "Committed " + user[^6..], Amount = 5000m, Currency = "USD", Stage = "Negotiation", OwnerId = rep.Id, ExpectedClose = due },
                new Deal { Name = "Early " + user[^6..], Amount = 1000m, Currency = "USD", Stage = "Lead", OwnerId = me.Id, ExpectedClose = due });
            return await db.SaveChangesAsync();
        });

        var card = await SayAsync("forecast", user);

        Assert.NotNull(card);
        var chart = Assert.Single(Elements(card), e => e["type"]!.GetValue<string>() == "Chart.VerticalBar");
        // Committed: the Negotiation deal (80%); best case: both; weighted 5,000 × 0.8 + 1,000 × 0.1.
        Assert.Equal([("Committed", 5000m), ("Best case", 6000m), ("Weighted", 4100m), ("Won", 0m)],
            chart["data"]!.AsArray().Select(d => (d!["x"]!.GetValue<string>(), d["y"]!.GetValue<decimal>())));
        var fallback = chart["fallback"]!.ToJsonString(Readable);
        Assert.Contains("Monospace", fallback);
        Assert.Contains("Best case ████████████████ 6,000 USD (2)", fallback);
        var text = card!.ToJsonString(Readable);
        Assert.Contains("Forecast: your team", text);
        Assert.Contains("\"title\":\"Weighted\",\"value\":\"4,100 USD\"", text);
    }
}

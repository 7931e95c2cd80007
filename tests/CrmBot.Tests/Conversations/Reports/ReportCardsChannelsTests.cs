using System.Text.Json.Nodes;
using CrmBot.Channels.Slack;
using CrmBot.Channels.Terminal;
using CrmBot.Conversations.Cards;
using CrmBot.Fakes.Slack;

namespace CrmBot.Tests.Conversations.Reports;

/// <summary>
/// The report cards on each channel: Teams gets the Chart.* element with its fallback; Slack and the terminal, which
/// draw no charts, show the fallback's aligned text bars (Slack as one code block, within Block Kit's limits).
/// </summary>
public class ReportCardsChannelsTests
{
    public static TheoryData<string, string> ReportCards => new()
    {
        { CardNames.ReportPipeline, "Chart.VerticalBar" },
        { CardNames.ReportWinRate, "Chart.Donut" },
        { CardNames.ReportWinRate, "Chart.HorizontalBar" },
        { CardNames.ReportForecast, "Chart.VerticalBar" },
        { CardNames.ReportSalesCycle, "Chart.HorizontalBar" },
        { CardNames.ReportConversion, "Chart.VerticalBar" },
        { CardNames.ReportStaleDeals, "Chart.HorizontalBar" },
        { CardNames.ReportTeamActivity, "Chart.HorizontalBar" },
    };

    private static JsonObject Bound(string name) =>
        new CardTemplates().Bind(name, JsonNode.Parse(File.ReadAllText(Path.Combine(CardTemplates.DefaultDirectory, "samples", name + ".data.json"))));

    private static IEnumerable<JsonObject> Elements(JsonNode? node) => ReportsChatTests.Elements(node);

    private static IReadOnlyList<string> FallbackLines(JsonObject chart) =>
        Elements(chart["fallback"]).Where(e => e["fontType"]?.GetValue<string>() == "Monospace").Select(e => e["text"]!.GetValue<string>()).ToList();

    [Theory]
    [MemberData(nameof(ReportCards))]
    public void Teams_CarriesTheChart_WithATextBarFallback(string name, string chartType)
    {
        var charts = Elements(Bound(name)).Where(e => e["type"]!.GetValue<string>() == chartType).ToList();

        Assert.NotEmpty(charts);
        foreach (var chart in charts)
        {
            Assert.NotEmpty(chart["data"]!.AsArray());
            Assert.Equal("Container", chart["fallback"]!["type"]!.GetValue<string>());
            Assert.Equal(chart["data"]!.AsArray().Count, FallbackLines(chart).Count);
        }
    }

    [Theory]
    [MemberData(nameof(ReportCards))]
    public void Slack_ShowsTheFallbackBars_AsOneCodeBlock_WithinLimits(string name, string chartType)
    {
        var card = Bound(name);
        var message = BlockKit.Message(card, "fallback").Result;

        Assert.Empty(BlockKitRules.CheckMessage(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() }));
        var code = message.Blocks.Select(b => b!["text"]?["text"]?.GetValue<string>()).OfType<string>().Where(t => t.StartsWith("```", StringComparison.Ordinal)).ToList();
        foreach (var chart in Elements(card).Where(e => e["type"]!.GetValue<string>() == chartType))
            Assert.Contains(SlackText.Escape(string.Join("\n", FallbackLines(chart))), code.Select(c => c.Trim('`')));
    }

    [Theory]
    [MemberData(nameof(ReportCards))]
    public void Terminal_ShowsTheFallbackBars(string name, string chartType)
    {
        var card = Bound(name);
        var (lines, _) = TerminalCardRenderer.Render(card, 1);

        foreach (var chart in Elements(card).Where(e => e["type"]!.GetValue<string>() == chartType))
            foreach (var bar in FallbackLines(chart))
                Assert.Contains(lines, l => l.Contains(Spectre.Console.Markup.Escape(bar), StringComparison.Ordinal));
    }

    [Fact]
    public void TextBars_AlignedAndScaled_ToTheLargest()
    {
        var lines = CardData.TextBars([("Lead", 1000m, "1,000 USD"), ("Negotiation", 4000m, "4,000 USD"), ("Won", 0m, "0 USD"), ("Tiny", 1m, "1 USD")]);

        Assert.Equal("Lead        ████············ 1,000 USD", lines[0]);
        Assert.Equal("Negotiation ████████████████ 4,000 USD", lines[1]);
        Assert.Equal("Won         ················     0 USD", lines[2]);
        Assert.Equal("Tiny        █···············     1 USD", lines[3]);
    }
}

using CrmBot.Crm.Services;

namespace CrmBot.Tests.Crm.Services;

/// <summary>What a stage move jumps over, on the default pipeline and on one whose won stage is not next to the last open one.</summary>
public class StageJumpTests
{
    [Theory]
    [InlineData("Lead", "Qualified", "", false)]
    [InlineData("Lead", "Proposal Sent", "Qualified, Meeting Scheduled", false)]
    [InlineData("Proposal Sent", "Lead", "", false)]
    [InlineData("Negotiation", "Closed Won", "", false)]
    [InlineData("Qualified", "Closed Won", "Meeting Scheduled, Proposal Sent, Negotiation", false)]
    [InlineData("Lead", "Closed Lost", "", false)]
    [InlineData("Closed Lost", "Negotiation", "", true)]
    [InlineData("Closed Won", "Closed Lost", "", true)]
    public async Task DefaultPipeline(string from, string to, string skipped, bool reopens)
    {
        using var crm = new CrmHost();
        await using var turn = crm.Turn();
        var deals = turn.Get<DealService>();

        var jump = deals.Jump(from, deals.FindStage(to)!)!;

        Assert.Equal((skipped, reopens), (string.Join(", ", jump.Skipped.Select(s => s.Name)), jump.Reopens));
        Assert.Equal(skipped.Length > 0 || reopens, jump.NeedsConfirmation);
    }

    [Fact]
    public async Task WonListedAfterLost_StillSkipsOnlyTheOpenStagesLeft()
    {
        using var crm = new CrmHost(settings: new Dictionary<string, string?>
        {
            ["Crm:Stages:0:Name"] = "New", ["Crm:Stages:0:ExitCriterion"] = "Need confirmed",
            ["Crm:Stages:1:Name"] = "Trial", ["Crm:Stages:1:ExitCriterion"] = "Trial passed",
            ["Crm:Stages:2:Name"] = "Lost", ["Crm:Stages:2:IsClosed"] = "true",
            ["Crm:Stages:3:Name"] = "Won", ["Crm:Stages:3:IsClosed"] = "true", ["Crm:Stages:3:IsWon"] = "true",
        });
        await using var turn = crm.Turn();
        var deals = turn.Get<DealService>();

        Assert.Equal(["Trial"], deals.Jump("New", deals.FindStage("won")!)!.Skipped.Select(s => s.Name));
        Assert.Empty(deals.Jump("Trial", deals.FindStage("won")!)!.Skipped);
        Assert.Null(deals.Jump("Retired stage", deals.FindStage("won")!));
    }
}

using CrmBot.Crm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CrmBot.Tests.Crm;

public class CrmOptionsValidatorTests
{
    private static readonly CrmOptionsValidator Validator = new();

    private static PipelineStage Open(string name, params string[] synonyms) => new() { Name = name, Synonyms = [.. synonyms] };
    private static PipelineStage Won(string name = "Won") => new() { Name = name, IsClosed = true, IsWon = true };
    private static PipelineStage Lost(string name = "Lost") => new() { Name = name, IsClosed = true };

    [Fact]
    public void Defaults_AreValid() => Assert.True(Validator.Validate(null, new CrmOptions()).Succeeded);

    [Fact]
    public void Custom_Minimal_IsValid() =>
        Assert.True(Validator.Validate(null, new CrmOptions { Stages = [Open("Talking"), Won(), Lost()] }).Succeeded);

    [Theory]
    [MemberData(nameof(BadPipelines))]
    public void Bad_IsRefusedWithAReason(string because, List<PipelineStage> stages)
    {
        var result = Validator.Validate(null, new CrmOptions { Stages = stages });
        Assert.True(result.Failed, because);
        Assert.Contains("Crm:Stages", result.FailureMessage);
    }

    public static TheoryData<string, List<PipelineStage>> BadPipelines() => new()
    {
        { "no open stage", [Won(), Lost()] },
        { "no won stage", [Open("A"), Lost()] },
        { "no lost stage", [Open("A"), Won()] },
        { "duplicate name", [Open("Lead"), Open("lead"), Won(), Lost()] },
        { "synonym shared by two stages", [Open("A", "hot"), Open("B", "HOT"), Won(), Lost()] },
        { "synonym naming another stage", [Open("A", "b"), Open("B"), Won(), Lost()] },
        { "nameless stage", [Open(""), Open("A"), Won(), Lost()] },
        { "won but open", [Open("A"), new PipelineStage { Name = "W", IsWon = true }, Won(), Lost()] },
        { "probability above 1", [new PipelineStage { Name = "A", Probability = 1.5m }, Won(), Lost()] },
        { "negative probability", [new PipelineStage { Name = "A", Probability = -0.1m }, Won(), Lost()] },
        { "won below 1", [Open("A"), new PipelineStage { Name = "W", IsClosed = true, IsWon = true, Probability = 0.9m }, Lost()] },
        { "lost above 0", [Open("A"), Won(), new PipelineStage { Name = "L", IsClosed = true, Probability = 0.1m }] },
    };

    [Fact]
    public void Registered_BadConfigurationFailsOnFirstUse()
    {
        using var crm = new CrmHost(settings: new Dictionary<string, string?> { ["Crm:Stages:0:Name"] = "Only" });
        using var turn = crm.Turn();
        Assert.Throws<OptionsValidationException>(() => turn.Get<IOptions<CrmOptions>>().Value);
    }

    [Fact]
    public void SampleSettings_StagesBindValidateAndMatchTheDefaults()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "appsettings.sample.json"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var options = new ConfigurationBuilder().AddJsonFile(Path.Combine(dir.FullName, "appsettings.sample.json")).Build()
            .GetSection(CrmOptions.Section).Get<CrmOptions>()!;

        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal(PipelineStage.Defaults.Select(s => (s.Name, s.ExitCriterion, s.IsClosed, s.IsWon)),
            options.Pipeline.Select(s => (s.Name, s.ExitCriterion, s.IsClosed, s.IsWon)));
        Assert.Equal(PipelineStage.Defaults.Select(s => s.Probability), options.Pipeline.Select(s => s.Probability));
    }

    [Fact]
    public void Probabilities_DefaultsRiseThroughThePipeline()
    {
        var options = new CrmOptions();
        Assert.Equal([0.1m, 0.2m, 0.4m, 0.6m, 0.8m, 1m, 0m], options.Pipeline.Select(options.ProbabilityOf));
    }

    [Fact]
    public void Probabilities_NotConfigured_SpreadEvenlyOverOpenStages()
    {
        var options = new CrmOptions { Stages = [Open("A"), Open("B"), Open("C"), Won(), Lost()] };
        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal([0.25m, 0.5m, 0.75m, 1m, 0m], options.Pipeline.Select(options.ProbabilityOf));
    }

    [Fact]
    public void Probabilities_BindFromConfiguration()
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crm:Stages:0:Name"] = "Talking", ["Crm:Stages:0:Probability"] = "0.35",
            ["Crm:Stages:1:Name"] = "Won", ["Crm:Stages:1:IsClosed"] = "true", ["Crm:Stages:1:IsWon"] = "true",
            ["Crm:Stages:2:Name"] = "Lost", ["Crm:Stages:2:IsClosed"] = "true",
        }).Build().GetSection(CrmOptions.Section).Get<CrmOptions>()!;
        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal([0.35m, 1m, 0m], options.Pipeline.Select(options.ProbabilityOf));
    }
}

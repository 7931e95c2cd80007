using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Crm.Surveys;

namespace CrmBot.Tests.Crm.Services;

/// <summary>
/// Who sees whose report figures: reps their own, managers their team's, admins everyone's; one person's figures in a
/// manager's team only when the team has at least Feedback:MinResponses members (3 here).
/// </summary>
public abstract class ReportAccessTests(StoreProvider provider) : IAsyncLifetime
{
    private readonly CrmHost _crm = new(settings: new Dictionary<string, string?> { ["Feedback:MinResponses"] = "3" }, provider: provider);
    private Member _big = null!, _small = null!, _admin = null!, _rep = null!, _smallRep = null!, _outsider = null!;

    public async Task InitializeAsync()
    {
        _admin = await _crm.MemberAsync("Ada", role: MemberRole.Admin);
        _big = await _crm.MemberAsync("Bea", role: MemberRole.Manager);
        _small = await _crm.MemberAsync("Sam", role: MemberRole.Manager);
        _rep = await _crm.MemberAsync("Rob");
        var bigTeam = new[] { _rep, await _crm.MemberAsync("Rae"), await _crm.MemberAsync("Ron") };
        _smallRep = await _crm.MemberAsync("Sia");
        var smallTeam = new[] { _smallRep, await _crm.MemberAsync("Sol") };
        _outsider = await _crm.MemberAsync("Oscar");
        await using var turn = _crm.Turn();
        var db = turn.Get<CrmDbContext>();
        foreach (var m in db.Members.ToList())
        {
            if (bigTeam.Any(t => t.Id == m.Id)) m.ManagerId = _big.Id;
            if (smallTeam.Any(t => t.Id == m.Id)) m.ManagerId = _small.Id;
        }
        await db.SaveChangesAsync();
        foreach (var m in bigTeam) m.ManagerId = _big.Id;
        foreach (var m in smallTeam) m.ManagerId = _small.Id;
    }

    public Task DisposeAsync()
    {
        _crm.Dispose();
        return Task.CompletedTask;
    }

    private async Task<ReportView> View(Member viewer, ReportAudience? audience, Member? owner = null)
    {
        await using var turn = _crm.Turn();
        return await turn.Get<ReportAccess>().ViewAsync(viewer, audience, owner, default);
    }

    [Fact]
    public async Task WithoutSaying_ARepSeesTheirOwn_AManagerTheirTeam_AnAdminEveryone()
    {
        Assert.Equal(ReportScope.Member(_rep.Id), (await View(_rep, null)).Scope);
        Assert.Equal(ReportScope.Team(_big.Id), (await View(_big, null)).Scope);
        Assert.Equal(ReportScope.Everyone, (await View(_admin, null)).Scope);
    }

    [Fact]
    public async Task ARole_DoesNotReachFurtherThanItsOwn()
    {
        await Assert.ThrowsAsync<NotAllowedException>(() => View(_rep, ReportAudience.Team));
        await Assert.ThrowsAsync<NotAllowedException>(() => View(_rep, ReportAudience.Everyone));
        await Assert.ThrowsAsync<NotAllowedException>(() => View(_big, ReportAudience.Everyone));
        await Assert.ThrowsAsync<NotAllowedException>(() => View(_rep, ReportAudience.Owner, _outsider));
        await Assert.ThrowsAsync<NotAllowedException>(() => View(_big, ReportAudience.Owner, _outsider));
        Assert.Equal(ReportScope.Team(_admin.Id), (await View(_admin, ReportAudience.Team)).Scope);
    }

    [Fact]
    public async Task PerPersonFigures_ShowInATeamOfAtLeastTheMinimum_AndAlwaysToAdmins()
    {
        Assert.True((await View(_big, ReportAudience.Team)).ShowsPerPerson);
        Assert.False((await View(_small, ReportAudience.Team)).ShowsPerPerson);
        Assert.Equal(ReportScope.Member(_rep.Id), (await View(_big, ReportAudience.Owner, _rep)).Scope);
        var refused = await Assert.ThrowsAsync<NotAllowedException>(() => View(_small, ReportAudience.Owner, _smallRep));
        Assert.Contains("at least 3", refused.Message);
        var admin = await View(_admin, ReportAudience.Owner, _smallRep);
        Assert.Equal(ReportScope.Member(_smallRep.Id), admin.Scope);
        Assert.True(admin.ShowsPerPerson);
    }

    [Fact]
    public async Task AskingForOnesOwnFigures_ByName_IsOnesOwnView()
    {
        var view = await View(_rep, ReportAudience.Owner, _rep);
        Assert.Equal(ReportAudience.Mine, view.Audience);
        Assert.Equal(ReportScope.Member(_rep.Id), view.Scope);
    }
}

public sealed class ReportAccessTestsOnSqlite() : ReportAccessTests(StoreProvider.Sqlite);

public sealed class ReportAccessTestsOnPostgres() : ReportAccessTests(StoreProvider.Postgres);

using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using CrmBot.Tests.Proactive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmBot.Tests.Cli;

/// <summary>
/// `members` as an operator runs it on the server, in its own process over a store file: it lists members and
/// changes roles and teams without chat, audited as the operator's ("cli"), and refuses what it cannot tell apart.
/// </summary>
public sealed class MembersCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-members-").FullName;
    private readonly SharedFileStore _store = new();

    private Member Add(string name, string? email = null, MemberRole role = MemberRole.Rep, AdminGrant grant = AdminGrant.None)
    {
        using var db = _store.NewContext();
        var member = new Member
        {
            Channel = "slack", TenantId = "T1", UserId = "U-" + name.Replace(' ', '-'), DisplayName = name, Email = email, Role = role,
            AdminGrant = grant, RoleBeforeConfig = grant == AdminGrant.Config ? MemberRole.Rep : null, CreatedAt = DateTime.UtcNow,
        };
        db.Members.Add(member);
        db.SaveChanges();
        return member;
    }

    private Task<CrmBotProcess.Result> RunAsync(params string[] args) =>
        CrmBotProcess.RunAsync(_store.ConnectionString["Data Source=".Length..], _dir, ["members", .. args]);

    private Member Get(int id)
    {
        using var db = _store.NewContext();
        return db.Members.AsNoTracking().Single(m => m.Id == id);
    }

    private List<string> Audit()
    {
        using var db = _store.NewContext();
        return db.AuditEntries.AsNoTracking().OrderBy(a => a.Id)
            .Select(a => $"{a.EntityId} {a.Action} {a.OldValue}→{a.NewValue} by {a.Actor} via {a.Channel}").ToList();
    }

    [Fact]
    public async Task List_ShowsEachMembersNumberNameChannelEmailRoleAndManager_AsTextOrOneJsonDocument()
    {
        var ada = Add("Ada Admin", "ada@example.com", MemberRole.Admin, AdminGrant.Config);
        var sam = Add("Sam Rep", "sam@example.com");
        await using (var db = _store.NewContext())
        {
            await db.Members.Where(m => m.Id == sam.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ManagerId, ada.Id));
        }

        var text = await RunAsync("list");
        Assert.True(text.Exit == 0, text.All);
        var lines = text.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^#\s+Name\s+Channel\s+E-mail\s+Role\s+Manager$", lines[0]);
        Assert.Matches($@"^{ada.Id}\s+Ada Admin\s+slack\s+ada@example.com\s+admin \(Crm:Admins\)$", lines[1]);
        Assert.Matches($@"^{sam.Id}\s+Sam Rep\s+slack\s+sam@example.com\s+rep\s+Ada Admin$", lines[2]);

        var json = await RunAsync("list", "--json");
        Assert.True(json.Exit == 0, json.All);
        var members = JsonNode.Parse(json.Out)!["members"]!.AsArray();
        Assert.Equal(2, members.Count);
        Assert.Equal((sam.Id, "Sam Rep", "slack", "sam@example.com", "Rep", ada.Id, "Ada Admin"),
            (members[1]!["id"]!.GetValue<int>(), members[1]!["name"]!.GetValue<string>(), members[1]!["channel"]!.GetValue<string>(),
             members[1]!["email"]!.GetValue<string>(), members[1]!["role"]!.GetValue<string>(), members[1]!["managerId"]!.GetValue<int>(),
             members[1]!["manager"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Promote_ByEmail_IsAnOperatorGrant_KeptWhenCrmAdminsDropsTheMember_AndAudited()
    {
        var bob = Add("Bob Rep", "bob@example.com");
        var cleo = Add("Cleo Listed", "cleo@example.com", MemberRole.Admin, AdminGrant.Config);

        var promoted = await RunAsync("promote", "BOB@example.com");
        Assert.True(promoted.Exit == 0, promoted.All);
        Assert.Contains("Bob Rep", promoted.Out);
        // A list admin promoted by the operator becomes the operator's too.
        Assert.Equal(0, (await RunAsync("promote", "Cleo")).Exit);
        Assert.Equal((MemberRole.Admin, AdminGrant.Operator), (Get(bob.Id).Role, Get(bob.Id).AdminGrant));

        // The next start with a Crm:Admins that names neither.
        await using (var db = _store.NewContext())
        {
            var service = new MemberService(db, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new CrmOptions()), NullLogger<MemberService>.Instance);
            Assert.Equal(0, await service.ApplyConfiguredAdminsAsync(default));
        }
        Assert.Equal(MemberRole.Admin, Get(bob.Id).Role);
        Assert.Equal((MemberRole.Admin, AdminGrant.Operator), (Get(cleo.Id).Role, Get(cleo.Id).AdminGrant));
        Assert.Equal([$"{bob.Id} role Rep→Admin by operator (command line) via cli", $"{cleo.Id} admin grant Config→Operator by operator (command line) via cli"], Audit());
    }

    [Fact]
    public async Task DemoteAndSetManager_ChangeTheMember_AuditedAsTheOperators_AndTheManagerCanBeCleared()
    {
        var mia = Add("Mia Manager", "mia@example.com", MemberRole.Admin, AdminGrant.Chat);
        var ray = Add("Ray Rep");
        Add("Other Admin", role: MemberRole.Admin, grant: AdminGrant.Chat);

        var set = await RunAsync("set-manager", "Ray", mia.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(set.Exit == 0, set.All);
        Assert.Equal(mia.Id, Get(ray.Id).ManagerId);

        // An admin with a team becomes its manager.
        var demoted = await RunAsync("demote", "mia@example.com");
        Assert.True(demoted.Exit == 0, demoted.All);
        Assert.Equal((MemberRole.Manager, AdminGrant.None), (Get(mia.Id).Role, Get(mia.Id).AdminGrant));
        Assert.Equal(0, (await RunAsync("demote", "Mia")).Exit);
        Assert.Equal(MemberRole.Rep, Get(mia.Id).Role);

        var cleared = await RunAsync("set-manager", "Ray", "--none");
        Assert.True(cleared.Exit == 0, cleared.All);
        Assert.Null(Get(ray.Id).ManagerId);

        var id = mia.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([
            $"{ray.Id} manager →{id} by operator (command line) via cli",
            $"{id} role Admin→Manager by operator (command line) via cli",
            $"{id} role Manager→Rep by operator (command line) via cli",
            $"{ray.Id} manager {id}→ by operator (command line) via cli",
        ], Audit());
    }

    [Theory]
    [InlineData("promote", "Jo", "could be")]                 // two members called Jo…
    [InlineData("promote", "nobody@example.com", "No member matches")]
    [InlineData("demote", "Ada", "only admin")]               // the last admin stays
    [InlineData("demote", "Jo Ann", "rep")]                   // nothing below a rep
    [InlineData("set-manager", "Jo Ann", "either the manager or --none")]
    public async Task WhatCannotBeDone_SaysWhy_ExitsNonZero_AndChangesNothing(string verb, string who, string because)
    {
        Add("Ada Admin", role: MemberRole.Admin, grant: AdminGrant.Operator);
        Add("Jo Ann");
        Add("Jo Bell");

        var run = await RunAsync(verb, who);
        Assert.NotEqual(0, run.Exit);
        Assert.Contains(because, run.Err);
        Assert.Empty(Audit());
        await using var db = _store.NewContext();
        Assert.Equal([MemberRole.Admin, MemberRole.Rep, MemberRole.Rep], await db.Members.OrderBy(m => m.Id).Select(m => m.Role).ToListAsync());
    }

    [Fact]
    public async Task AgainstAStoreThatDoesNotExist_SaysSo_ExitsNonZero_AndCreatesNoFile()
    {
        var missing = Path.Combine(_dir, "no-such-store.db");
        var run = await CrmBotProcess.RunAsync(missing, _dir, ["members", "promote", "ada@example.com"]);
        Assert.Equal(1, run.Exit);
        Assert.Contains("There is no store at " + missing, run.Err);
        Assert.False(File.Exists(missing));
    }

    public void Dispose()
    {
        _store.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

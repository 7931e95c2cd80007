using CrmBot.Crm.Model;
using CrmBot.Tests.Proactive;

namespace CrmBot.Tests.Cli;

/// <summary>
/// A store file, members in it, and `report …` run in its own process over it, as an operator runs the verbs.
/// </summary>
public abstract class ReportCommandTestBase : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-report-").FullName;

    protected SharedFileStore Store { get; } = new();

    /// <summary>When the members were first seen.</summary>
    protected abstract DateTime MembersSince { get; }

    protected Member Add(string name, MemberRole role = MemberRole.Rep, int? managerId = null)
    {
        using var db = Store.NewContext();
        var member = new Member
        {
            Channel = "slack", TenantId = "T1", UserId = "U-" + name, DisplayName = name, Role = role, ManagerId = managerId, CreatedAt = MembersSince,
        };
        db.Members.Add(member);
        db.SaveChanges();
        return member;
    }

    protected Task<CrmBotProcess.Result> RunAsync(params string[] args) =>
        CrmBotProcess.RunAsync(Store.ConnectionString["Data Source=".Length..], _dir, ["report", .. args]);

    protected static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose()
    {
        Store.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

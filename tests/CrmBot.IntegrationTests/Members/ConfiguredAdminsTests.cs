using CrmBot.Conversations;
using CrmBot.Conversations.Pipeline;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.IntegrationTests.Members;

/// <summary>
/// Crm:Admins as an operator uses it: edit the list, restart the service, and the members who exist already follow
/// it; admins made in chat do not depend on it.
/// </summary>
public sealed class ConfiguredAdminsTests : IDisposable
{
    // Each restart opens the same store: a SQLite file's path, or a PostgreSQL database's connection string.
    private readonly string _store = CrmBotFactory.DefaultProvider == StoreProvider.Sqlite
        ? Path.Combine(Path.GetTempPath(), $"crmbot-admins-{Guid.NewGuid():N}.db")
        : PostgresStores.NewAsync().GetAwaiter().GetResult();

    /// <summary>The service started (hosted services run) over the shared store with this list.</summary>
    private CrmBotFactory Start(params string[] admins)
    {
        var factory = new CrmBotFactory(_store);
        for (var i = 0; i < admins.Length; i++) factory.With($"Crm:Admins:{i}", admins[i]);
        _ = factory.Services;
        return factory;
    }

    private static async Task<string> SayAsync(CrmBotFactory factory, string userId, string name, string text)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var replies = await scope.ServiceProvider.GetRequiredService<PipelineBot>().OnTurnAsync(
            new Turn(Guid.NewGuid().ToString("N"), new ChatUser("slack", "T1", userId, name), "D-" + userId, ConversationKind.Personal, text), default);
        return string.Join("\n", replies.OfType<TextReply>().Select(r => r.Text));
    }

    private static async Task<Member> MemberAsync(CrmBotFactory factory, string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CrmDbContext>().Members.AsNoTracking().SingleAsync(m => m.UserId == userId);
    }

    [Fact]
    public async Task AnExistingMember_ListedAfterARestart_BecomesAdmin_AndLosesItWhenUnlisted_ChatAdminsStay()
    {
        using (var first = Start("U-ada"))
        {
            await SayAsync(first, "U-ada", "Ada Admin", "help");
            await SayAsync(first, "U-bob", "Bob Rep", "help");
            await SayAsync(first, "U-carl", "Carl Chat", "help");
            await SayAsync(first, "U-dana", "Dana Manager", "help");
            Assert.Contains("now an admin", await SayAsync(first, "U-ada", "Ada Admin", "promote Carl Chat to admin"));
            Assert.Contains("now a manager", await SayAsync(first, "U-ada", "Ada Admin", "promote Dana Manager to manager"));
            Assert.Equal(MemberRole.Rep, (await MemberAsync(first, "U-bob")).Role);
        }

        // Bob (listed in other letter case) and Dana by user id; Carl, made admin in chat, is on neither list.
        using (var second = Start("U-ada", "u-bob", "U-dana"))
        {
            var bob = await MemberAsync(second, "U-bob");
            Assert.Equal((MemberRole.Admin, AdminGrant.Config), (bob.Role, bob.AdminGrant));
            Assert.Equal(MemberRole.Admin, (await MemberAsync(second, "U-dana")).Role);
            Assert.Equal((MemberRole.Admin, AdminGrant.Chat), ((await MemberAsync(second, "U-carl")).Role, (await MemberAsync(second, "U-carl")).AdminGrant));
        }

        using (var third = Start("U-ada"))
        {
            Assert.Equal((MemberRole.Rep, AdminGrant.None), ((await MemberAsync(third, "U-bob")).Role, (await MemberAsync(third, "U-bob")).AdminGrant));
            // The role she had before the list made her admin, not one guessed.
            Assert.Equal(MemberRole.Manager, (await MemberAsync(third, "U-dana")).Role);
            Assert.Equal(MemberRole.Admin, (await MemberAsync(third, "U-carl")).Role);
            Assert.Equal(MemberRole.Admin, (await MemberAsync(third, "U-ada")).Role);

            await using var scope = third.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            var bobId = (await MemberAsync(third, "U-bob")).Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var changes = await db.AuditEntries.AsNoTracking().Where(a => a.EntityType == "Member" && a.EntityId == bobId && a.Action == "role")
                .OrderBy(a => a.Id).Select(a => new { a.OldValue, a.NewValue, a.Channel, a.MemberId }).ToListAsync();
            Assert.Equal(["Rep→Admin config ", "Admin→Rep config "], changes.Select(c => $"{c.OldValue}→{c.NewValue} {c.Channel} {c.MemberId}"));
        }

        // A restart with the same list changes nothing and audits nothing.
        using (var fourth = Start("U-ada"))
        {
            await using var scope = fourth.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
            Assert.Equal(4, await db.AuditEntries.CountAsync(a => a.Channel == "config"));
        }
    }

    public void Dispose()
    {
        // The cluster drops its databases when the test process ends.
        if (CrmBotFactory.DefaultProvider == StoreProvider.Sqlite) CrmBotFactory.DeleteStore(_store);
    }
}

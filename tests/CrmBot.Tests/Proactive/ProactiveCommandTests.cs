using CrmBot.Conversations;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Tests.Proactive;

/// <summary>The digest / notify / outbox commands, typed into the real engine.</summary>
public sealed class ProactiveCommandTests : IDisposable
{
    private readonly SharedFileStore _store = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly ProactiveHost _host;

    public ProactiveCommandTests() =>
        _host = new ProactiveHost(_store, _clock, new Dictionary<string, string?> { ["Crm:Admins:0"] = "UADMIN" });

    public void Dispose()
    {
        _host.Dispose();
        _store.Dispose();
    }

    private async Task<string> SayAsync(string text, string user = "UREP")
    {
        await using var scope = _host.Scope();
        var bot = scope.ServiceProvider.GetRequiredService<IBot>();
        var replies = await bot.OnTurnAsync(new Turn(Guid.NewGuid().ToString("N"),
            new ChatUser("slack", "T1", user, user == "UADMIN" ? "Ada Admin" : "Rita Rep", "Europe/Berlin"),
            "D" + user, ConversationKind.Personal, text), default);
        return string.Join("\n", replies.OfType<TextReply>().Select(r => r.Text));
    }

    private async Task<Member> MemberAsync(string user = "UREP")
    {
        await using var db = _store.NewContext();
        return await db.Members.AsNoTracking().SingleAsync(m => m.UserId == user);
    }

    [Fact]
    public async Task DigestCommands_ChangeOnlyTheSpeakersSettings_AndAreAudited()
    {
        Assert.Contains("09:00", await SayAsync("digest"));

        Assert.Contains("off", await SayAsync("digest off"));
        Assert.False((await MemberAsync()).DigestEnabled);

        var answer = await SayAsync("digest at 8:30");
        Assert.Contains("08:30", answer);
        var member = await MemberAsync();
        Assert.True(member.DigestEnabled);
        Assert.Equal(new TimeOnly(8, 30), member.DigestTime);

        Assert.Contains("could not read", await SayAsync("digest at teatime"));
        Assert.Equal(new TimeOnly(8, 30), (await MemberAsync()).DigestTime);

        await SayAsync("digest", "UADMIN");
        Assert.True((await MemberAsync("UADMIN")).DigestEnabled);
        Assert.Null((await MemberAsync("UADMIN")).DigestTime);

        await using var db = _store.NewContext();
        var audit = await db.AuditEntries.Where(a => a.EntityType == nameof(Member) && a.Action == "digest").OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([("on", "off"), ("off", "on at 08:30")], audit.Select(a => (a.OldValue, a.NewValue)));
    }

    [Theory]
    [InlineData("08:30", 8, 30)]
    [InlineData("8.30", 8, 30)]
    [InlineData("7:05 am", 7, 5)]
    [InlineData("14h05", 14, 5)]
    [InlineData("9", 9, 0)]
    public void TimeReading(string text, int hour, int minute)
    {
        Assert.True(CrmBot.Proactive.ProactiveFeature.TryParseTime(text, out var time));
        Assert.Equal(new TimeOnly(hour, minute), time);
    }

    [Theory]
    [InlineData("25:00")]
    [InlineData("soon")]
    [InlineData("")]
    public void TimeReading_Rejects(string text) => Assert.False(CrmBot.Proactive.ProactiveFeature.TryParseTime(text, out _));

    [Fact]
    public async Task NotifyInstant_ReleasesNotesHeldForTheDigest()
    {
        await SayAsync("notify digest");
        var member = await MemberAsync();
        Assert.Equal(NotificationPreference.Digest, member.StageNotifications);
        long heldId;
        await using (var db = _store.NewContext())
        {
            var row = ProactiveOutbox.Add(db, ProactiveAddress.DirectTo(member), OutboxKinds.StageChange,
                ProactivePayload.TextOnly("Acme moved"), _clock, status: OutboxStatus.Held);
            await db.SaveChangesAsync();
            heldId = row.Id;
        }

        Assert.Contains("at once", await SayAsync("notify instant"));
        await using var check = _store.NewContext();
        var released = await check.Outbox.SingleAsync(o => o.Id == heldId);
        Assert.Equal(OutboxStatus.Pending, released.Status);
    }

    [Fact]
    public async Task Outbox_AdminsOnly_ShowsFailuresAndRetries()
    {
        await SayAsync("hello", "UADMIN");
        await using (var db = _store.NewContext())
        {
            var row = ProactiveOutbox.Add(db, new ProactiveAddress("slack", Target: "C1"), OutboxKinds.StageChange, ProactivePayload.TextOnly("x"), _clock);
            row.Status = OutboxStatus.Failed;
            row.Attempts = 7;
            row.LastError = "gave up after 7 attempt(s): chat.postMessage: HTTP 503";
            await db.SaveChangesAsync();
        }

        Assert.Contains("Only admins", await SayAsync("outbox"));

        var report = await SayAsync("outbox", "UADMIN");
        Assert.Contains("1 failed", report);
        Assert.Contains("HTTP 503", report);

        Assert.Contains("1 failed message(s) queued again", await SayAsync("outbox retry", "UADMIN"));
        await using var check = _store.NewContext();
        Assert.Equal(OutboxStatus.Pending, (await check.Outbox.SingleAsync()).Status);
    }

    [Fact]
    public async Task WeeklyDigestCommands_ManagersAndAdmins_RepsToldItIsNotForThem_AndAudited()
    {
        Assert.Contains("The weekly digest is for managers and admins.", await SayAsync("weekly digest"));
        Assert.Contains("The weekly digest is for managers and admins.", await SayAsync("weekly digest on"));
        Assert.DoesNotContain("weekly", await SayAsync("digest"));

        Assert.Contains("Your weekly digest of your team's pipeline, forecast, last week's moves and stale deals comes on Mondays at 09:00 (Europe/Berlin).",
            await SayAsync("weekly digest", "UADMIN"));
        Assert.Contains("Your weekly digest is off", await SayAsync("weekly digest off", "UADMIN"));
        Assert.False((await MemberAsync("UADMIN")).WeeklyDigestEnabled);
        Assert.Contains("everyone's pipeline", await SayAsync("weekly digest everyone", "UADMIN"));
        var admin = await MemberAsync("UADMIN");
        Assert.True(admin.WeeklyDigestEnabled && admin.WeeklyDigestEveryone);
        Assert.Contains("everyone's pipeline", await SayAsync("digest", "UADMIN"));
        Assert.Contains("your team's pipeline", await SayAsync("weekly digest team", "UADMIN"));
        Assert.False((await MemberAsync("UADMIN")).WeeklyDigestEveryone);
        Assert.Contains("Try `weekly digest on`", await SayAsync("weekly digest sometimes", "UADMIN"));

        await _host.UpdateMemberAsync((await MemberAsync()).Id, m => m.Role = MemberRole.Manager);
        Assert.Contains("Only admins", await SayAsync("weekly digest everyone"));
        Assert.False((await MemberAsync()).WeeklyDigestEveryone);
        Assert.Contains("Your weekly digest is off", await SayAsync("weekly digest off"));
        Assert.Contains("Your weekly digest is off", await SayAsync("digest"));

        await using var db = _store.NewContext();
        var audit = await db.AuditEntries.Where(a => a.EntityType == nameof(Member) && a.Action == "weekly digest").OrderBy(a => a.Id)
            .Select(a => a.OldValue + " -> " + a.NewValue).ToListAsync();
        Assert.Equal(["on, team -> off", "off -> on, everyone", "on, everyone -> on, team", "on, team -> off"], audit);
    }
}

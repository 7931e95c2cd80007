using CrmBot.Crm;
using CrmBot.Tests.Cli;
using CrmBot.Crm.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Tests.Channels.Terminal;

/// <summary>
/// `chat` as a user scripts it: the real executable, stdin piped, a store of its own. Cards come
/// out as text, buttons are pressed by number and form inputs are answered line by line.
/// </summary>
public sealed class ChatCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crmbot-chat-").FullName;
    private string DbPath => Path.Combine(_dir, "crm.db");

    [Fact]
    public async Task PipedScript_SeedsListsCompletesAndLogsThroughTheForm()
    {
        var script = string.Join("\n",
            "follow-ups",
            "1",                           // Done on the first item
            "log",                         // the log form
            "1",                           // its "Log it" button: now the inputs are asked
            "Jane Doe",                    // Contact
            "2",                           // Type: Meeting
            "walked through the roadmap",  // Notes
            "",                            // Follow-up title: none
            "",                            // Follow-up due: none
            "gibberish words here",
            "digest off",                  // other areas' commands reach the terminal too
            "feedback",
            "exit") + "\n";

        var (exit, output) = await RunChatAsync(script, "--seed");

        Assert.True(exit == 0, output);
        Assert.Contains("Demo workspace created", output);
        Assert.Contains("Follow-ups for", output);
        Assert.Contains("[1] Done", output);
        Assert.Contains("✓ Done:", output);
        Assert.Contains("Meeting logged with Jane Doe", output);
        Assert.Contains("I didn't understand", output);
        Assert.Contains("Your digest is off", output);
        Assert.Contains("There is no open survey right now", output);
        Assert.False(output.Contains('\u001b'), output);   // no colour codes when piped

        await using var db = Store();
        Assert.Equal(1, await db.FollowUps.CountAsync(f => f.Status == FollowUpStatus.Done));
        var logged = await db.Activities.Include(a => a.Contact).Where(a => a.Notes == "walked through the roadmap").SingleAsync();
        Assert.Equal((ActivityType.Meeting, "Jane Doe", "terminal"), (logged.Type, logged.Contact!.FullName, logged.Channel));
        Assert.False((await db.Members.SingleAsync(m => m.Channel == "terminal")).DigestEnabled);
    }

    [Fact]
    public async Task PipedLogAndUndo_ShowTheRepliesOnly_NoLogLines()
    {
        var (exit, output) = await RunChatAsync("log call with Jane Doe about pricing\nundo\nexit\n", "--seed");

        Assert.True(exit == 0, output);
        Assert.Contains("Call logged with Jane Doe", output);
        Assert.Contains("Undone: the call with Jane Doe", output);
        // Both turns log at Information (a new member, an undo); neither belongs in the conversation.
        Assert.DoesNotContain("info:", output);
        Assert.DoesNotContain("undid activity", output);
    }

    [Fact]
    public async Task EmptyStore_WithPipedInput_DoesNotAsk_ButSaysHowToSeed()
    {
        var (exit, output) = await RunChatAsync("help\n");

        Assert.True(exit == 0, output);
        Assert.Contains("chat --seed", output);
        Assert.Contains("log call with Jane Doe", output);   // the help card, as text
    }

    [Fact]
    public async Task As_AnExistingMember_ByNameOrNumber_TurnsAreTheirs()
    {
        var (maria, sam, _) = await SeedWithMembersAsync();

        var asMaria = await RunChatAsync("log call with Jane Doe about pricing\nexit\n", "--as", "maria muller");
        var asSam = await RunChatAsync("log meeting with Jane Doe about the roadmap\nexit\n", "--as", $"{sam}");

        Assert.True(asMaria.Exit == 0, asMaria.Output);
        Assert.Contains($"you are #{maria} Maria Müller (manager, msteams)", asMaria.Output);
        Assert.Contains("Call logged with Jane Doe", asMaria.Output);
        Assert.True(asSam.Exit == 0, asSam.Output);
        Assert.Contains($"you are #{sam} Sam Rep (rep, slack)", asSam.Output);
        Assert.Contains("Meeting logged with Jane Doe", asSam.Output);
        await using var db = Store();
        Assert.Equal(ActivityType.Call, (await db.Activities.SingleAsync(a => a.LoggedById == maria)).Type);
        Assert.Equal(ActivityType.Meeting, (await db.Activities.SingleAsync(a => a.LoggedById == sam)).Type);
    }

    [Fact]
    public async Task As_AnotherChannelsMember_ChangesAreRecordedAsMadeAtTheTerminal()
    {
        var (maria, _, _) = await SeedWithMembersAsync();

        var asMaria = await RunChatAsync("log call with Jane Doe about pricing\nexit\n", "--as", "maria muller");

        Assert.True(asMaria.Exit == 0, asMaria.Output);
        await using var db = Store();
        var logged = await db.Activities.SingleAsync(a => a.LoggedById == maria);
        var key = logged.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entry = await db.AuditEntries.SingleAsync(e => e.EntityType == nameof(Activity) && e.EntityId == key);
        // Maria's changes, but typed at the server's terminal, not sent from Teams.
        Assert.Equal((maria, "Maria Müller", "terminal"), (entry.MemberId!.Value, entry.Actor, entry.Channel));
        Assert.Equal("terminal", logged.Channel);
    }

    [Fact]
    public async Task As_AmbiguousOrUnknown_FailsListingTheCandidates_ANewName_StartsANewMember()
    {
        var (_, sam, rogers) = await SeedWithMembersAsync();

        var ambiguous = await RunChatAsync("exit\n", "--as", "sam");
        Assert.NotEqual(0, ambiguous.Exit);
        Assert.Contains("“sam” could be more than one member", ambiguous.Output);
        Assert.Contains($"#{sam} Sam Rep (rep, slack), #{rogers} Sam Rogers (rep, slack)", ambiguous.Output);
        Assert.DoesNotContain("CrmBot —", ambiguous.Output);

        var unknown = await RunChatAsync("exit\n", "--as", "#999");
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("There is no member #999. Members: #1", unknown.Output);

        var nora = await RunChatAsync("log call with Jane Doe about onboarding\nexit\n", "--as", "Nora New");
        Assert.True(nora.Exit == 0, nora.Output);
        Assert.Contains("No member is called “Nora New”, so you are a new terminal member", nora.Output);
        Assert.Contains("Call logged with Jane Doe", nora.Output);
        await using var db = Store();
        var member = await db.Members.SingleAsync(m => m.DisplayName == "Nora New");
        Assert.Equal(("terminal", MemberRole.Rep), (member.Channel, member.Role));
        Assert.Equal("onboarding", (await db.Activities.SingleAsync(a => a.LoggedById == member.Id)).Notes);
    }

    /// <summary>The demo workspace, plus a Teams manager and two Slack reps who share a first name.</summary>
    private async Task<(int Maria, int Sam, int Rogers)> SeedWithMembersAsync()
    {
        var seeded = await CrmBotProcess.RunAsync(DbPath, _dir, ["seed-demo"]);
        Assert.True(seeded.Exit == 0, seeded.All);
        await using var db = Store();
        Member New(string channel, string user, string name, MemberRole role) =>
            db.Members.Add(new Member { Channel = channel, TenantId = "T1", UserId = user, DisplayName = name, Role = role }).Entity;
        var maria = New("msteams", "29:maria", "Maria Müller", MemberRole.Manager);
        var sam = New("slack", "U-sam", "Sam Rep", MemberRole.Rep);
        var rogers = New("slack", "U-rogers", "Sam Rogers", MemberRole.Rep);
        await db.SaveChangesAsync();
        return (maria.Id, sam.Id, rogers.Id);
    }

    private CrmDbContext Store()
    {
        var options = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(options, $"Data Source={DbPath};Pooling=False");
        return new CrmDbContext(options.Options);
    }

    private async Task<(int Exit, string Output)> RunChatAsync(string stdin, params string[] args)
    {
        var r = await CrmBotProcess.RunAsync(DbPath, _dir, ["chat", .. args], stdin);
        return (r.Exit, r.All);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

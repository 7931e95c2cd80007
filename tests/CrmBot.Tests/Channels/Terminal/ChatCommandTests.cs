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

    public ChatCommandTests() => CrmBotProcess.UseShippedSettings(_dir);

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

        var options = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(options, $"Data Source={DbPath}");
        await using var db = new CrmDbContext(options.Options);
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

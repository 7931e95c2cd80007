using System.Net;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Channels.Teams;

/// <summary>
/// The channel's translation, with a recording stand-in for the engine: what each kind of activity
/// becomes as a turn, and where each kind of reply goes (Connector reply, PUT, invoke response, body).
/// </summary>
public class TeamsProtocolTests(StubBotHost host) : IClassFixture<StubBotHost>
{
    private RecordingBot Bot => host.Bot;

    [Fact]
    public async Task PersonalMessage_BecomesTurn_WithUserTenantTimeZoneAndLocale_AndReplyIsPosted()
    {
        var activity = host.Sample("message-personal");
        var id = activity["id"]!.GetValue<string>();

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(await host.RepliesToAsync(id));
        var turn = Bot.TurnFor(id)!;
        Assert.Equal(ConversationKind.Personal, turn.Kind);
        Assert.Equal("log call with Jane Doe: discussed pricing, follow up tomorrow", turn.Text);
        Assert.Equal(new ChatUser("msteams", "451759a8-7d0f-44e7-8ca7-378fc3a9837c", "29:1VFXBxWd78xJz37ir-o97fNQJ",
            "Megan Bowen", "America/Los_Angeles", null, "56e2dfb3-1734-4d2d-8852-368a75b74a1b", "en-US"), turn.From);
        Assert.Equal("a:1Ig_cmjzTdWcgCFUXe9M0bupu1ssaTPK_8QFI", turn.ConversationId);

        // A reply in the conversation, from the bot to the user, threaded to the message.
        Assert.Equal("POST", reply.Method);
        Assert.Equal(id, reply.ActivityId);
        Assert.Equal("a:1Ig_cmjzTdWcgCFUXe9M0bupu1ssaTPK_8QFI", reply.ConversationId);
        Assert.Equal("message", reply.Body!["type"]!.GetValue<string>());
        Assert.Equal(TeamsHost.BotId, reply.Body["from"]!["id"]!.GetValue<string>());
        Assert.Equal("29:1VFXBxWd78xJz37ir-o97fNQJ", reply.Body["recipient"]!["id"]!.GetValue<string>());
        Assert.Equal("echo: log call with Jane Doe: discussed pricing, follow up tomorrow", reply.Body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChannelMessage_BotMentionStripped_OtherMentionsKept()
    {
        var activity = host.Sample("message-channel-mention");
        activity["text"] = "<at>CRM Bot</at> follow-ups for <at>Adele</at>";
        var id = activity["id"]!.GetValue<string>();

        await host.PostAsync(activity);

        await host.RepliesToAsync(id);
        var turn = Bot.TurnFor(id)!;
        Assert.Equal(ConversationKind.Channel, turn.Kind);
        Assert.Equal("follow-ups for <at>Adele</at>", turn.Text);
    }

    [Fact]
    public async Task GroupChatMessage_IsGroupTurn()
    {
        var activity = host.Sample("message-channel-mention");
        activity["conversation"]!["conversationType"] = "groupChat";
        activity["conversation"]!["id"] = "19:group-chat@thread.v2";
        var id = activity["id"]!.GetValue<string>();

        await host.PostAsync(activity);

        await host.RepliesToAsync(id);
        var turn = Bot.TurnFor(id)!;
        Assert.Equal(ConversationKind.Group, turn.Kind);
        Assert.Equal("follow-ups", turn.Text);
    }

    [Fact]
    public async Task CardReply_IsAdaptiveCardAttachment()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = "card";

        await host.PostAsync(activity);

        var reply = Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>()));
        var attachment = Assert.Single(reply.Body!["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment["contentType"]!.GetValue<string>());
        Assert.Equal("AdaptiveCard", reply.Card!["type"]!.GetValue<string>());
        Assert.Equal("A card", reply.Body["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task FieldErrors_AreSaidInText()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = "invalid";

        await host.PostAsync(activity);

        var reply = Assert.Single(await host.RepliesToAsync(activity["id"]!.GetValue<string>()));
        Assert.Contains("Please fix the form.", reply.Body!["text"]!.GetValue<string>());
        Assert.Contains("Not a date.", reply.Body!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ActionSubmit_ValueReachesEngine_AndCardIsUpdatedInPlace()
    {
        var activity = host.Sample("card-submit");
        activity["value"]!["verb"] = "done";
        var cardMessageId = "card-" + activity["id"]!.GetValue<string>();
        activity["replyToId"] = cardMessageId;

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = await host.Connector.WaitForAsync(r => r.Count(x => x.ActivityId == cardMessageId) >= 1
                                                            && r.Any(x => x.ActivityId == activity["id"]!.GetValue<string>()));
        var update = Assert.Single(calls, c => c.ActivityId == cardMessageId);
        Assert.Equal("PUT", update.Method);
        Assert.Equal("done 42", update.Card!["body"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(cardMessageId, update.Body!["id"]!.GetValue<string>());
        var text = Assert.Single(calls, c => c.ActivityId == activity["id"]!.GetValue<string>());
        Assert.Equal("Marked done.", text.Body!["text"]!.GetValue<string>());

        var turn = Bot.TurnFor(activity["id"]!.GetValue<string>())!;
        Assert.Equal("done", turn.Verb);
        Assert.Equal(42, turn.Value!["followUpId"]!.GetValue<int>());
        Assert.Equal(cardMessageId, turn.ReplyToId);
    }

    [Fact]
    public async Task ActionExecute_AnsweredWithTheNewCard_InTheInvokeResponse()
    {
        var activity = host.Sample("invoke-action-execute");
        activity["value"]!["action"]!["verb"] = "done";

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        Assert.Equal("done 42", body["value"]!["body"]![0]!["text"]!.GetValue<string>());
        var turn = Bot.TurnFor(activity["id"]!.GetValue<string>())!;
        Assert.Equal("done", turn.Verb);
        Assert.Equal(42, turn.Value!["followUpId"]!.GetValue<int>());
        // The text that came with the card is posted to the conversation.
        var posted = await host.Connector.WaitForAsync(r => r.Any(x => x.Body?["text"]?.GetValue<string>() == "Marked done."
                                                                      && x.ConversationId == activity["conversation"]!["id"]!.GetValue<string>()));
        Assert.NotEmpty(posted);
    }

    [Fact]
    public async Task ActionExecute_WithoutVerb_Answers400InBody()
    {
        var activity = host.Sample("invoke-action-execute");
        activity["value"]!["action"]!.AsObject().Remove("verb");

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
        Assert.Null(Bot.TurnFor(activity["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task OtherInvoke_Returns501()
    {
        var activity = host.Sample("invoke-action-execute");
        activity["name"] = "composeExtension/query";

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Null(Bot.TurnFor(activity["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UnknownActivityType_Ignored()
    {
        var activity = host.Sample("message-personal");
        activity["type"] = "typing";
        var before = await host.StoreFingerprintAsync();

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Bot.TurnFor(activity["id"]!.GetValue<string>()));
        Assert.Equal(before, await host.StoreFingerprintAsync());
    }

    [Fact]
    public async Task ExpectReplies_RepliesInTheResponseBody_NotPosted()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = "card";
        activity["deliveryMode"] = "expectReplies";
        var id = activity["id"]!.GetValue<string>();

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var reply = Assert.Single(body["activities"]!.AsArray())!;
        Assert.Equal("message", reply["type"]!.GetValue<string>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", reply["attachments"]![0]!["contentType"]!.GetValue<string>());
        Assert.Equal(id, reply["replyToId"]!.GetValue<string>());
        Assert.DoesNotContain(host.Connector.Requests, r => r.ActivityId == id);
    }

    [Fact]
    public async Task SameActivityDeliveredThreeTimes_ProcessedOnce()
    {
        var activity = host.Sample("message-personal");
        var id = activity["id"]!.GetValue<string>();

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.PostAsync(activity)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(await host.RepliesToAsync(id));
        Assert.Single(Bot.Turns, t => t.TurnId == id);
    }

    [Fact]
    public async Task SameActivityIdInAnotherConversation_IsNotADuplicate()
    {
        var first = host.Sample("message-personal");
        var second = host.Sample("message-personal");
        second["id"] = first["id"]!.DeepClone();
        second["conversation"]!["id"] = "a:another-conversation";

        await host.PostAsync(first);
        await host.PostAsync(second);

        Assert.Equal(2, Bot.Turns.Count(t => t.TurnId == first["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task EngineFailure_Returns500_AndTheRedeliveryIsProcessed()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = "fail";
        // expectReplies is always answered in the request, so the failure shows in the status.
        activity["deliveryMode"] = "expectReplies";
        var id = activity["id"]!.GetValue<string>();

        var first = await host.PostAsync(activity);
        var again = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, again.StatusCode);
        Assert.Equal(2, Bot.Turns.Count(t => t.TurnId == id));
    }

    [Fact]
    public async Task SlowTurn_AcknowledgedFirst_ReplyPostedWhenDone()
    {
        var activity = host.Sample("message-personal");
        activity["text"] = "wait";
        var id = activity["id"]!.GetValue<string>();

        var response = await host.PostAsync(activity);

        // Answered while the engine is still working (it waits for Release below).
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(host.Connector.Requests, r => r.ActivityId == id);
        Bot.Release();
        var reply = Assert.Single(await host.RepliesToAsync(id));
        Assert.Equal("finally", reply.Body!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task BotInstalled_WelcomePosted_AndReferenceStored()
    {
        var activity = host.Sample("conversation-update-installed");
        activity["conversation"]!["id"] = "a:installed-" + activity["id"];
        var conversationId = activity["conversation"]!["id"]!.GetValue<string>();

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = await host.Connector.WaitForAsync(r => r.Any(x => x.ConversationId == conversationId));
        var welcome = Assert.Single(calls, x => x.ConversationId == conversationId);
        Assert.Equal("POST", welcome.Method);
        Assert.Null(welcome.ActivityId);   // a new message, not a reply
        Assert.Equal("help", Bot.TurnFor(activity["id"]!.GetValue<string>())!.Text);
        var reference = await host.WithStoreAsync(db => db.ConversationAddresses.SingleAsync(r => r.ConversationId == conversationId));
        Assert.Equal("msteams", reference.Channel);
        Assert.Equal(host.Connector.ServiceUrl, reference.ServiceUrl);
        Assert.Equal(TeamsHost.BotId, reference.BotId);
        Assert.Equal("451759a8-7d0f-44e7-8ca7-378fc3a9837c", reference.TenantId);
        Assert.Equal("personal", reference.ConversationType);
        var member = await host.WithStoreAsync(db => db.Members.SingleAsync(m => m.Id == reference.MemberId));
        Assert.Equal(("msteams", "451759a8-7d0f-44e7-8ca7-378fc3a9837c", "29:1VFXBxWd78xJz37ir-o97fNQJ"), (member.Channel, member.TenantId, member.UserId));
        Assert.Equal("Megan Bowen", member.DisplayName);
        Assert.Equal("56e2dfb3-1734-4d2d-8852-368a75b74a1b", member.AadObjectId);
        Assert.Equal("America/Los_Angeles", member.TimeZone);
    }

    [Fact]
    public async Task BotInstalledTwice_OneReference()
    {
        var first = host.Sample("conversation-update-installed");
        first["conversation"]!["id"] = "a:reinstalled-" + first["id"];
        var second = host.Sample("conversation-update-installed");
        second["conversation"] = first["conversation"]!.DeepClone();
        var conversationId = first["conversation"]!["id"]!.GetValue<string>();

        await host.PostAsync(first);
        await host.PostAsync(second);

        await host.Connector.WaitForAsync(r => r.Count(x => x.ConversationId == conversationId) >= 2);
        Assert.Equal(1, await host.WithStoreAsync(db => db.ConversationAddresses.CountAsync(r => r.ConversationId == conversationId)));
    }

    [Fact]
    public async Task MemberAddedThatIsNotTheBot_Ignored()
    {
        var activity = host.Sample("conversation-update-installed");
        activity["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "29:someone-else" });

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Bot.TurnFor(activity["id"]!.GetValue<string>()));
    }
}

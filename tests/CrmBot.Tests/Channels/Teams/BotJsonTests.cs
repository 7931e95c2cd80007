using System.Text.Json;
using CrmBot.Channels.Teams;

namespace CrmBot.Tests.Channels.Teams;

/// <summary>
/// The Bot Framework schema is read and written by the source-generated serializer (a cold start no longer
/// builds reflection accessors for it), with the wire format the Bot Framework services use.
/// </summary>
public class BotJsonTests
{
    [Theory]
    [InlineData(typeof(BotActivity))]
    [InlineData(typeof(ResourceResponse))]
    [InlineData(typeof(ConversationParameters))]
    [InlineData(typeof(AdaptiveCardInvokeResponse))]
    public void SchemaTypes_AreServedByTheGeneratedContext(Type type) =>
        Assert.Same(BotJsonContext.Default, BotJson.Options.GetTypeInfo(type).OriginatingResolver);

    [Fact]
    public void OtherTypes_StillSerialize_ByReflection()
    {
        var json = JsonSerializer.Serialize(new { ReplyToId = "1", Missing = (string?)null }, BotJson.Options);
        Assert.Equal("""{"replyToId":"1"}""", json);
    }

    [Fact]
    public void Activity_IsWrittenCamelCase_WithoutNulls()
    {
        var json = JsonSerializer.Serialize(new BotActivity
        {
            Type = ActivityTypes.Message,
            Text = "hi",
            Conversation = new ConversationAccount { Id = "c1" },
        }, BotJson.Options);
        Assert.Equal("""{"type":"message","conversation":{"id":"c1"},"text":"hi"}""", json);
    }

    [Fact]
    public void Activity_IsRead_CaseInsensitively_IgnoringUnknownFields()
    {
        var activity = JsonSerializer.Deserialize<BotActivity>(
            """
            {"Type":"message","text":"log call","from":{"id":"29:1","aadObjectId":"aad-1"},"unknownField":{"x":1},
             "channelData":{"tenant":{"id":"t-1"}},"timestamp":"2026-11-23T08:00:00.000Z"}
            """,
            BotJson.Options)!;
        Assert.Equal(ActivityTypes.Message, activity.Type);
        Assert.Equal("log call", activity.Text);
        Assert.Equal("aad-1", activity.From!.AadObjectId);
        Assert.Equal("t-1", activity.TenantId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), activity.Timestamp);
    }
}

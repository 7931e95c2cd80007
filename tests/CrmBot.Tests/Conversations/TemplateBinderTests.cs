using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;

namespace CrmBot.Tests.Conversations;

public class TemplateBinderTests
{
    private static JsonObject Bind(string template, string data) =>
        TemplateBinder.Bind(JsonNode.Parse(template)!.AsObject(), JsonNode.Parse(data));

    [Fact]
    public void DataArray_RepeatsTheElement_WithIndexAndRoot()
    {
        var card = Bind("""{"body":[{"$data":"${items}","text":"${$index}:${name}@${$root.where}"}]}""",
            """{"where":"HQ","items":[{"name":"a"},{"name":"b"}]}""");

        Assert.Equal("""{"body":[{"text":"0:a@HQ"},{"text":"1:b@HQ"}]}""", card.ToJsonString());
    }

    [Fact]
    public void When_False_DropsTheElement_AndWhenTrue_KeepsItWithoutTheKey()
    {
        var card = Bind("""{"body":[{"$when":"${n > 1}","t":"x"},{"$when":"${!flag}","t":"y"}]}""", """{"n":1,"flag":false}""");

        Assert.Equal("""{"body":[{"t":"y"}]}""", card.ToJsonString());
    }

    [Fact]
    public void WholeExpression_KeepsItsJsonType()
    {
        var card = Bind("""{"id":"${id}","ok":"${ok}","none":"${missing}","text":"#${id}"}""", """{"id":7,"ok":true}""");

        Assert.Equal("""{"id":7,"ok":true,"none":null,"text":"#7"}""", card.ToJsonString());
    }

    [Fact]
    public void Functions_If_Count_Join_Concat_FormatDateTime()
    {
        var card = Bind(
            """{"a":"${if(count(xs) == 2, 'two', 'other')}","b":"${join(xs, ', ')}","c":"${concat(first, '-', last)}","d":"${formatDateTime(day, 'ddd d MMM')}"}""",
            """{"xs":["p","q"],"first":"J","last":"D","day":"2026-12-01"}""");

        Assert.Equal("""{"a":"two","b":"p, q","c":"J-D","d":"Tue 1 Dec"}""", card.ToJsonString());
    }

    [Fact]
    public void DataObject_ChangesTheScope()
    {
        var card = Bind("""{"body":[{"$data":"${person}","text":"${name}"}]}""", """{"person":{"name":"Jane"}}""");

        Assert.Equal("""{"body":[{"text":"Jane"}]}""", card.ToJsonString());
    }

    [Fact]
    public void UnknownFunction_IsAnError_NotASilentBlank()
    {
        Assert.Throws<FormatException>(() => Bind("""{"t":"${nope(1)}"}""", "{}"));
    }
}

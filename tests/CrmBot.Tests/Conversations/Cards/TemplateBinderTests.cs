using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;

namespace CrmBot.Tests.Conversations.Cards;

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

    [Fact]
    public void ACompiledTemplate_BindsAgainAndAgain_EachCardItsOwn()
    {
        var template = TemplateBinder.Compile(JsonNode.Parse(
            """{"n":3,"ok":true,"who":"${$root}","body":[{"$data":"${items}","$when":"${$index != 1}","text":"${$index}:${name}"}]}""")!.AsObject());

        var first = template.Bind(JsonNode.Parse("""{"items":[{"name":"a"},{"name":"b"},{"name":"c"}]}"""));
        var second = template.Bind(JsonNode.Parse("""{"items":[{"name":"x"}]}"""));
        first["n"] = 4;
        ((JsonArray)first["body"]!).Clear();

        Assert.Equal("""{"n":3,"ok":true,"who":{"items":[{"name":"x"}]},"body":[{"text":"0:x"}]}""", second.ToJsonString());
        Assert.Equal("""{"n":4,"ok":true,"who":{"items":[{"name":"a"},{"name":"b"},{"name":"c"}]},"body":[]}""", first.ToJsonString());
    }

    [Fact]
    public void TheSameDataNode_CanLandInTheCardTwice()
    {
        var card = Bind("""{"a":"${$root}","b":"${$root}","c":["${tags}","${tags}"]}""", """{"tags":["x"]}""");

        Assert.Equal("""{"a":{"tags":["x"]},"b":{"tags":["x"]},"c":[["x"],["x"]]}""", card.ToJsonString());
    }

    [Theory]
    [InlineData("${a.b[1] == 'y' && !(n < 2) || false}", "true")]
    [InlineData("${a.b[1] == 'y' && n < 2}", "false")]
    [InlineData("${a['b'][0]}", "\"x\"")]
    [InlineData("${!missing && n >= 2.5 && n <= 3}", "true")]
    [InlineData("${-1 < n}", "true")]
    [InlineData("${toUpper(a.b[0]) != 'X'}", "false")]
    [InlineData("${empty(a.c) && exists(a) && not(equals(n, 4))}", "true")]
    [InlineData("${if(n > 2, a.b, 'none')}", "[\"x\",\"y\"]")]
    public void Expressions_KeepPrecedenceAndPaths(string expression, string expected)
    {
        var card = Bind($$"""{"v":"{{expression}}"}""", """{"n":3,"a":{"b":["x","y"],"c":[]}}""");

        Assert.Equal(expected, card["v"]!.ToJsonString());
    }

    [Fact]
    public void DataInAnArrayItem_ThatIsNoArray_ScopesTheItemOnce()
    {
        var card = Bind("""{"body":[{"$data":"${person}","text":"${name} (${$index})"},{"$data":{"name":"lit"},"text":"${name}"}]}""",
            """{"person":{"name":"Jane"}}""");

        Assert.Equal("""{"body":[{"text":"Jane (0)"},{"text":"lit"}]}""", card.ToJsonString());
    }

    [Theory]
    [InlineData("""{"body":[{"$when":"${false}","t":"${nope(1)}"}]}""")]
    [InlineData("""{"body":[{"$when":"${false}","t":"${a b}"}]}""")]
    [InlineData("""{"body":[{"$when":"${false}","t":"${a"}]}""")]
    public void AMalformedExpression_IsFoundAtCompile_EvenInABranchNoCardReaches(string template)
    {
        Assert.Throws<FormatException>(() => TemplateBinder.Compile(JsonNode.Parse(template)!.AsObject()));
    }
}

using CrmBot.Crm.Text;

namespace CrmBot.Tests.Crm;

public class EditDistanceTests
{
    [Theory]
    [InlineData("john", "john", 0)]
    [InlineData("jon", "john", 1)]      // one insert
    [InlineData("jhon", "john", 1)]     // neighbours swapped: one slip, not two
    [InlineData("muler", "muller", 1)]
    [InlineData("smith", "smyth", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    public void Osa_CountsEditsWithSwapsAsOne(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Osa(a, b));
        Assert.Equal(expected, EditDistance.Osa(b, a));
    }

    [Fact]
    public void Osa_LongStrings_GiveTheSameAnswerAsShortOnes()
    {
        // Longer than the stack buffer the rows live in for name-length words.
        var a = string.Concat(Enumerable.Repeat("abcdefghij", 30));
        var b = "x" + a[..150] + a[151] + a[150] + a[152..] + "yz";
        Assert.Equal(4, EditDistance.Osa(a, b));      // one insert in front, one swap, two appended
        Assert.Equal(4, EditDistance.Osa(b, a));
        Assert.Equal(300, EditDistance.Osa(a, ""));
    }
}

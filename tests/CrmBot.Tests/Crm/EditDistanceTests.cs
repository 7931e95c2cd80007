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
}

using System.Security.Cryptography;
using System.Text;
using CrmBot.Channels.Slack;

namespace CrmBot.Tests.Channels.Slack;

public class SlackSignatureTests
{
    private const string Secret = "unit-test-secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("token=x&team_id=T1&command=%2Fcrm&text=follow-ups");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_795_363_768);

    // Computed independently with: printf 'v0:1795363768:<body>' | openssl dgst -sha256 -hmac unit-test-secret
    private const string KnownSignature = "v0=84b1203d3652b73e8efa48f29cdb9300818edf8afb26242336d175229f91c1c9";

    [Fact]
    public void Sign_MatchesAnIndependentHmac()
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = "v0=" + Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes("v0:1795363768:").Concat(Body).ToArray()));
        Assert.Equal(expected, SlackSignature.Sign(Secret, "1795363768", Body));
        Assert.Equal(KnownSignature, expected);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(-300, true)]
    [InlineData(300, true)]
    [InlineData(-301, false)]
    [InlineData(301, false)]
    public void TimestampWindow_IsFiveMinutesEitherWay(int offsetSeconds, bool valid)
    {
        var ts = (Now.ToUnixTimeSeconds() + offsetSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(valid, SlackSignature.IsValid(Secret, ts, SlackSignature.Sign(Secret, ts, Body), Body, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NoSecret_NothingIsValid(string? secret) =>
        Assert.False(SlackSignature.IsValid(secret, "1795363768", SlackSignature.Sign("x", "1795363768", Body), Body, Now));

    [Fact]
    public void UpperCaseHex_IsAcceptedToo() =>
        Assert.True(SlackSignature.IsValid(Secret, "1795363768", "v0=" + SlackSignature.Sign(Secret, "1795363768", Body)[3..].ToUpperInvariant(), Body, Now));
}

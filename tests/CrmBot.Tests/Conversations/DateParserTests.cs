using System.Globalization;
using CrmBot.Conversations;
using CrmBot.Conversations.Recognition;

namespace CrmBot.Tests.Conversations;

public class DateParserTests
{
    // Instants are UTC; "today" is read in the member's zone, then the phrase against that today.
    [Theory]
    // Sunday 22 Nov 2026, noon UTC.
    [InlineData("2026-11-22T12:00:00Z", "UTC", "today", "2026-11-22")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "tomorrow", "2026-11-23")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "tmrw", "2026-11-23")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "Tmrw.", "2026-11-23")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "day after tomorrow", "2026-11-24")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "yesterday", "2026-11-21")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "Tue", "2026-11-24")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "on tuesday", "2026-11-24")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "next Tuesday", "2026-11-24")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "Sunday", "2026-11-29")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "this sunday", "2026-11-22")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "in 3 days", "2026-11-25")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "in 2 weeks", "2026-12-06")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "in a week", "2026-11-29")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "in two days", "2026-11-24")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "in 1 month", "2026-12-22")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "next week", "2026-11-23")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "end of week", "2026-11-22")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "end of month", "2026-11-30")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "EOM", "2026-11-30")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "next month", "2026-12-01")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "Dec 3", "2026-12-03")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "December 3rd", "2026-12-03")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "3 Dec", "2026-12-03")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "3rd of December", "2026-12-03")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "by Dec 3, 2027", "2027-12-03")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "2026-12-03", "2026-12-03")]
    [InlineData("2026-11-22T12:00:00Z", "UTC", "Nov 20", "2026-11-20")]   // recent past stays past: the caller questions it
    [InlineData("2026-11-22T12:00:00Z", "UTC", "Jan 5", "2027-01-05")]    // long past this year: next year
    // Wednesday 25 Nov 2026.
    [InlineData("2026-11-25T09:00:00Z", "UTC", "Tue", "2026-12-01")]
    [InlineData("2026-11-25T09:00:00Z", "UTC", "next Tue", "2026-12-01")]
    [InlineData("2026-11-25T09:00:00Z", "UTC", "wed", "2026-12-02")]
    [InlineData("2026-11-25T09:00:00Z", "UTC", "this wed", "2026-11-25")]
    [InlineData("2026-11-25T09:00:00Z", "UTC", "this fri", "2026-11-27")]
    [InlineData("2026-11-25T09:00:00Z", "UTC", "EOW", "2026-11-27")]
    [InlineData("2026-11-25T09:00:00Z", "UTC", "next week", "2026-11-30")]
    // Monday 23 Nov 2026: "Tue" is tomorrow, "next Tue" is next week's.
    [InlineData("2026-11-23T09:00:00Z", "UTC", "Tue", "2026-11-24")]
    [InlineData("2026-11-23T09:00:00Z", "UTC", "next Tuesday", "2026-12-01")]
    // Around midnight: the same instant is a different day in different zones.
    [InlineData("2026-11-23T03:30:00Z", "America/New_York", "today", "2026-11-22")]
    [InlineData("2026-11-23T03:30:00Z", "America/New_York", "tomorrow", "2026-11-23")]
    [InlineData("2026-11-23T03:30:00Z", "UTC", "tomorrow", "2026-11-24")]
    [InlineData("2026-11-22T23:30:00Z", "Asia/Tokyo", "today", "2026-11-23")]
    [InlineData("2026-11-22T23:30:00Z", "Asia/Tokyo", "Tue", "2026-11-24")]
    [InlineData("2026-11-22T23:30:00Z", "Pacific/Kiritimati", "today", "2026-11-23")]
    [InlineData("2026-11-23T10:30:00Z", "Pacific/Pago_Pago", "today", "2026-11-22")]
    [InlineData("2026-11-22T18:45:00Z", "Asia/Kolkata", "tomorrow", "2026-11-24")]
    // Month end.
    [InlineData("2026-01-31T12:00:00Z", "UTC", "tomorrow", "2026-02-01")]
    [InlineData("2026-01-31T12:00:00Z", "UTC", "in 1 month", "2026-02-28")]
    [InlineData("2026-02-27T12:00:00Z", "UTC", "end of month", "2026-02-28")]
    [InlineData("2028-02-27T12:00:00Z", "UTC", "end of month", "2028-02-29")]
    [InlineData("2026-04-30T22:30:00Z", "Europe/Berlin", "today", "2026-05-01")]
    [InlineData("2026-04-30T22:30:00Z", "Europe/Berlin", "end of month", "2026-05-31")]
    [InlineData("2026-04-30T21:30:00Z", "Europe/Berlin", "end of month", "2026-04-30")]
    // Year end.
    [InlineData("2026-12-31T12:00:00Z", "UTC", "tomorrow", "2027-01-01")]
    [InlineData("2026-12-31T12:00:00Z", "UTC", "Jan 4", "2027-01-04")]
    [InlineData("2026-12-31T12:00:00Z", "UTC", "next week", "2027-01-04")]
    [InlineData("2026-12-31T12:00:00Z", "UTC", "in 2 weeks", "2027-01-14")]
    [InlineData("2026-12-31T23:30:00Z", "America/Los_Angeles", "today", "2026-12-31")]
    [InlineData("2026-12-31T23:30:00Z", "Australia/Sydney", "today", "2027-01-01")]
    [InlineData("2026-12-31T23:30:00Z", "Australia/Sydney", "Dec 3", "2027-12-03")]
    [InlineData("2026-12-31T23:30:00Z", "Australia/Sydney", "end of week", "2027-01-01")]
    [InlineData("2026-12-28T12:00:00Z", "UTC", "next friday", "2027-01-08")]
    [InlineData("2026-12-28T12:00:00Z", "UTC", "friday", "2027-01-01")]
    // An unknown zone reads as UTC rather than failing.
    [InlineData("2026-11-23T03:30:00Z", "Mars/Olympus_Mons", "today", "2026-11-23")]
    public void Phrase_InMemberZone_ResolvesToDate(string utcNow, string zone, string phrase, string expected)
    {
        var clock = new FixedClock(DateTimeOffset.Parse(utcNow, CultureInfo.InvariantCulture));
        var today = MemberTime.Today(clock, zone);

        Assert.Equal(DateOnly.Parse(expected, CultureInfo.InvariantCulture), DateParser.Parse(phrase, today));
    }

    [Theory]
    [InlineData("someday")]
    [InlineData("Feb 30")]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("next")]
    [InlineData("")]
    [InlineData("tuesdays are great")]
    public void Nonsense_IsNotADate(string phrase)
    {
        Assert.Null(DateParser.Parse(phrase, new DateOnly(2026, 11, 22)));
    }

    [Fact]
    public void Find_ReportsWhereTheDateIs()
    {
        var match = DateParser.Find("follow up next Tuesday to send the quote", new DateOnly(2026, 11, 22));

        Assert.NotNull(match);
        Assert.Equal(new DateOnly(2026, 11, 24), match.Date);
        Assert.Equal("next Tuesday", match.Text);
        Assert.Equal(10, match.Index);
    }

    [Fact]
    public void Find_IgnoresWeekdayLettersInsideWords()
    {
        Assert.Null(DateParser.Find("discussed the monthly satisfaction survey", new DateOnly(2026, 11, 22)));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

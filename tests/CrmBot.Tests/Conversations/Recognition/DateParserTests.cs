using System.Globalization;
using CrmBot.Conversations;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Model;

namespace CrmBot.Tests.Conversations.Recognition;

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

    // Numbers and days of the month, read against a given today. Order "" is a member whose order is not known.
    [Theory]
    // Sunday 22 Nov 2026.
    [InlineData("2026-11-22", "", "1/5", "2027-01-05")]                  // month-first until known; Jan 5 is long past
    [InlineData("2026-11-22", "MonthFirst", "1/5", "2027-01-05")]
    [InlineData("2026-11-22", "DayFirst", "1/5", "2027-05-01")]
    [InlineData("2026-11-22", "", "12/3", "2026-12-03")]
    [InlineData("2026-11-22", "DayFirst", "12/3", "2027-03-12")]
    [InlineData("2026-11-22", "", "13/5", "2027-05-13")]                 // only day-first is a date
    [InlineData("2026-11-22", "DayFirst", "5/13", "2027-05-13")]         // only month-first is a date
    [InlineData("2026-11-22", "", "11/20", "2026-11-20")]                // recent past stays past, like "Nov 20"
    [InlineData("2026-11-22", "", "12/24/2026", "2026-12-24")]
    [InlineData("2026-11-22", "DayFirst", "24/12/2026", "2026-12-24")]
    [InlineData("2026-11-22", "", "1/5/27", "2027-01-05")]
    [InlineData("2026-11-22", "", "by 12/3", "2026-12-03")]
    [InlineData("2026-11-22", "", "24.12.", "2026-12-24")]               // dotted: day-first whatever the order
    [InlineData("2026-11-22", "MonthFirst", "24.12.", "2026-12-24")]
    [InlineData("2026-11-22", "", "24.12", "2026-12-24")]                // a whole answer: no price
    [InlineData("2026-11-22", "", "24.12.2027", "2027-12-24")]
    [InlineData("2026-11-22", "", "01.05.", "2027-05-01")]
    [InlineData("2026-11-22", "", "on 3.12.", "2026-12-03")]
    [InlineData("2026-11-22", "", "on 1.5.", "2027-05-01")]
    [InlineData("2026-11-22", "", "on the 3rd", "2026-12-03")]
    [InlineData("2026-11-22", "", "the 3rd", "2026-12-03")]
    [InlineData("2026-11-22", "", "3rd", "2026-12-03")]
    [InlineData("2026-11-22", "", "by the 22nd", "2026-11-22")]          // on or after today
    [InlineData("2026-11-22", "", "the 25th", "2026-11-25")]
    [InlineData("2026-11-22", "", "on the 31st", "2026-12-31")]          // November has no 31st
    [InlineData("2026-11-22", "", "the 3rd of next month", "2026-12-03")]
    [InlineData("2026-11-22", "", "the 25th of this month", "2026-11-25")]
    [InlineData("2026-11-22", "", "the 3rd of December", "2026-12-03")]
    [InlineData("2026-11-22", "", "in two weeks", "2026-12-06")]
    [InlineData("2026-11-22", "", "next month", "2026-12-01")]
    [InlineData("2026-11-22", "", "last Monday", "2026-11-16")]
    [InlineData("2026-11-22", "", "3 days ago", "2026-11-19")]
    [InlineData("2026-11-22", "", "a week ago", "2026-11-15")]
    [InlineData("2026-11-22", "", "the day before yesterday", "2026-11-20")]
    [InlineData("2026-11-22", "", "this morning", "2026-11-22")]
    [InlineData("2026-11-22", "", "sat", "2026-11-28")]
    // Sunday 5 Apr 2026: "the 31st" skips April; 31 Jan 2027: "the 30th" skips February.
    [InlineData("2026-04-05", "", "the 31st", "2026-05-31")]
    [InlineData("2026-04-05", "", "the 3rd", "2026-05-03")]
    [InlineData("2027-01-31", "", "the 30th", "2027-03-30")]
    [InlineData("2026-12-28", "", "1/4", "2027-01-04")]
    [InlineData("2026-12-28", "DayFirst", "4.1.2027", "2027-01-04")]
    public void NumbersAndDaysOfTheMonth_Resolve(string today, string order, string phrase, string expected)
    {
        Assert.Equal(Day(expected), DateParser.Parse(phrase, Day(today), Order(order)));
    }

    [Theory]
    [InlineData("", "13/13")]
    [InlineData("", "0/5")]
    [InlineData("DayFirst", "5/0")]
    [InlineData("", "31/2")]
    [InlineData("", "2/30/2027")]
    [InlineData("", "24/7")]
    [InlineData("", "1.5")]
    [InlineData("", "1.5.")]
    [InlineData("", "24.13.")]
    [InlineData("", "the 32nd")]
    [InlineData("", "the 30th of next month")]   // read on 5 Jan: February has no 30th
    [InlineData("", "3 days")]
    [InlineData("", "10.0.0.1")]
    public void NumbersThatAreNoDate_AreNull(string order, string phrase)
    {
        var today = phrase.Contains("next month", StringComparison.Ordinal) ? new DateOnly(2027, 1, 5) : new DateOnly(2026, 11, 22);
        Assert.Null(DateParser.Parse(phrase, today, Order(order)));
    }

    // Find cuts what it returns out of names and notes: numbers that count things must stay where they are.
    [Theory]
    [InlineData("renewal 3 seats")]
    [InlineData("Q3 renewal")]
    [InlineData("grew 10% in Q3")]
    [InlineData("ticket 2026/11")]
    [InlineData("sat down with the CFO")]
    [InlineData("the 3rd call went well")]
    [InlineData("meeting on the 3rd floor")]
    [InlineData("the 2nd demo was better")]
    [InlineData("support available 24/7")]
    [InlineData("1/5 of the team signed")]
    [InlineData("rated 4/5 stars")]
    [InlineData("a 50/50 split")]
    [InlineData("page 12/40")]
    [InlineData("up 1.5. pricing next")]
    [InlineData("budget 24.12 left")]
    [InlineData("price $24.12.")]
    [InlineData("version 10.0.1")]
    [InlineData("ip 10.0.0.1")]
    [InlineData("call Jan 3 times")]
    [InlineData("Jan 12 users")]
    public void Find_LeavesCountsAndFiguresAlone(string text)
    {
        Assert.Null(DateParser.Find(text, new DateOnly(2026, 11, 22)));
    }

    [Theory]
    [InlineData("", "follow up 1/5 about pricing", "1/5", "2027-01-05")]
    [InlineData("DayFirst", "follow up 1/5 about pricing", "1/5", "2027-05-01")]
    [InlineData("", "send quote on the 3rd", "on the 3rd", "2026-12-03")]
    [InlineData("", "renewal 3 seats on 24.12.", "on 24.12.", "2026-12-24")]
    [InlineData("", "check in the 3rd of next month", "the 3rd of next month", "2026-12-03")]
    [InlineData("", "call Jan on Dec 3", "on Dec 3", "2026-12-03")]
    [InlineData("", "ping the Q3 owner in two weeks", "in two weeks", "2026-12-06")]
    [InlineData("", "3 seats, renew 12/3/2027", "12/3/2027", "2027-12-03")]
    [InlineData("", "met Jane last Monday", "last Monday", "2026-11-16")]
    public void Find_CutsOutOnlyTheDate(string order, string text, string expectedText, string expected)
    {
        var match = DateParser.Find(text, new DateOnly(2026, 11, 22), Order(order));

        Assert.NotNull(match);
        AssertFoundAt(text, expectedText, match.Text, match.Index, match.Length);
        Assert.Equal(Day(expected), match.Date);
    }

    // When an activity happened. Wednesday 25 Nov 2026 unless given.
    [Theory]
    [InlineData("called Jane yesterday", "yesterday", "2026-11-24", "")]
    [InlineData("called Jane yesterday at 10am", "yesterday at 10am", "2026-11-24", "10:00")]
    [InlineData("at 10am yesterday called Jane", "at 10am yesterday", "2026-11-24", "10:00")]
    [InlineData("met Bob on Monday", "on Monday", "2026-11-23", "")]
    [InlineData("met Bob Monday at 14:30", "Monday at 14:30", "2026-11-23", "14:30")]
    [InlineData("met Bob Monday, 9:15 about pricing", "Monday, 9:15", "2026-11-23", "09:15")]
    [InlineData("met Bob on Wednesday", "on Wednesday", "2026-11-18", "")]          // today is Wednesday: last week's
    [InlineData("met last Friday", "last Friday", "2026-11-20", "")]
    [InlineData("demo this morning", "this morning", "2026-11-25", "09:00")]
    [InlineData("call this afternoon about pricing", "this afternoon", "2026-11-25", "14:00")]
    [InlineData("lunch at 12:30pm with Ann", "at 12:30pm", "2026-11-25", "12:30")]
    [InlineData("spoke 10:30 am", "10:30 am", "2026-11-25", "10:30")]
    [InlineData("emailed 3 days ago", "3 days ago", "2026-11-22", "")]
    [InlineData("met on the 3rd", "on the 3rd", "2026-11-03", "")]
    [InlineData("met on the 30th", "on the 30th", "2026-10-30", "")]
    [InlineData("met 11/20", "11/20", "2026-11-20", "")]
    [InlineData("met on 1/5", "on 1/5", "2026-01-05", "")]
    [InlineData("called Jane yesterday, follow up Dec 3", "yesterday", "2026-11-24", "")]
    [InlineData("follow up Dec 3, called Jane yesterday", "yesterday", "2026-11-24", "")]   // Dec 3 is a follow-up
    [InlineData("yesterday we talked pricing at 3pm", "yesterday", "2026-11-24", "")]     // the time is not next to it
    [InlineData("met 2026-11-02", "2026-11-02", "2026-11-02", "")]
    public void FindPast_ReadsWhenItHappened(string text, string expectedText, string expectedDate, string expectedTime)
    {
        var match = DateParser.FindPast(text, new DateOnly(2026, 11, 25));

        Assert.NotNull(match);
        AssertFoundAt(text, expectedText, match.Text, match.Index, match.Length);
        Assert.Equal(Day(expectedDate), match.Date);
        Assert.Equal(expectedTime.Length == 0 ? null : TimeOnly.Parse(expectedTime, CultureInfo.InvariantCulture), match.Time);
    }

    [Theory]
    [InlineData("2027-01-03", "", "met Dec 30", "2026-12-30")]
    [InlineData("2027-01-03", "", "met on 12/30", "2026-12-30")]
    [InlineData("2027-01-03", "DayFirst", "met on 30/12", "2026-12-30")]
    [InlineData("2027-01-03", "DayFirst", "met on 2/1", "2027-01-02")]
    [InlineData("2027-01-03", "", "met 24.12.", "2026-12-24")]
    [InlineData("2027-01-03", "", "met on the 31st", "2026-12-31")]
    public void FindPast_DateWithoutYear_IsTheMostRecent(string today, string order, string text, string expected)
    {
        Assert.Equal(Day(expected), DateParser.FindPast(text, Day(today), Order(order))?.Date);
    }

    [Theory]
    [InlineData("called Jane, follow up tomorrow")]
    [InlineData("send the quote by Friday")]
    [InlineData("next Monday works")]
    [InlineData("follow up Dec 3")]         // 8 days ahead: a follow-up, not the past
    [InlineData("met 24.12.")]
    [InlineData("in two weeks")]
    [InlineData("renewal 3 seats")]
    [InlineData("the 3rd call went well")]
    [InlineData("met 2026-12-02")]
    [InlineData("")]
    public void FindPast_FutureAndNonDates_AreNull(string text)
    {
        Assert.Null(DateParser.FindPast(text, new DateOnly(2026, 11, 25)));
    }

    [Theory]
    [InlineData("at 10am", "at 10am", "10:00")]
    [InlineData("call 10:30 am sharp", "10:30 am", "10:30")]
    [InlineData("meet at 14:30", "at 14:30", "14:30")]
    [InlineData("3 p.m. works", "3 p.m.", "15:00")]
    [InlineData("10.30pm", "10.30pm", "22:30")]
    [InlineData("12am", "12am", "00:00")]
    [InlineData("12pm", "12pm", "12:00")]
    [InlineData("lunch at noon", "at noon", "12:00")]
    [InlineData("call around 4pm", "around 4pm", "16:00")]
    [InlineData("this morning", "this morning", "09:00")]
    [InlineData("this afternoon", "this afternoon", "14:00")]
    [InlineData("tonight", "tonight", "18:00")]
    public void TimeOfDay_Find(string text, string expectedText, string expected)
    {
        var match = TimeOfDayParser.Find(text);

        Assert.NotNull(match);
        AssertFoundAt(text, expectedText, match.Text, match.Index, match.Length);
        Assert.Equal(TimeOnly.Parse(expected, CultureInfo.InvariantCulture), match.Time);
    }

    [Theory]
    [InlineData("at 10")]
    [InlineData("renewal 3 seats")]
    [InlineData("version 1.10")]
    [InlineData("14.30")]
    [InlineData("25:00")]
    [InlineData("13pm")]
    [InlineData("0am")]
    [InlineData("10:75")]
    [InlineData("10 amazing deals")]
    [InlineData("ratio 16:9")]
    [InlineData("Q3 at Acme")]
    [InlineData("")]
    public void TimeOfDay_NonTimes_AreNull(string text)
    {
        Assert.Null(TimeOfDayParser.Find(text));
    }

    [Theory]
    [InlineData("1/5", true)]
    [InlineData("follow up 1/5 about pricing", true)]
    [InlineData("1/5/2027", true)]
    [InlineData("12/3", true)]
    [InlineData("5/5", false)]
    [InlineData("13/5", false)]
    [InlineData("5/13/2027", false)]
    [InlineData("24.12.", false)]
    [InlineData("1.5.2027", false)]
    [InlineData("Dec 3", false)]
    [InlineData("on the 3rd", false)]
    [InlineData("tomorrow", false)]
    [InlineData("renewal 3 seats", false)]
    [InlineData("support 24/7", false)]
    [InlineData("", false)]
    public void IsAmbiguous_OnlyWhenTheOrderDecides(string text, bool expected)
    {
        Assert.Equal(expected, DateParser.IsAmbiguous(text, new DateOnly(2026, 11, 22)));
    }

    // What was found is exactly the expected words, where they stand in the text (the caller cuts them out).
    private static void AssertFoundAt(string text, string expectedText, string foundText, int index, int length)
    {
        Assert.Equal(expectedText, foundText);
        Assert.Equal(text.IndexOf(expectedText, StringComparison.Ordinal), index);
        Assert.Equal(expectedText.Length, length);
    }

    private static DateOnly Day(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    private static DateOrder? Order(string name) => name.Length == 0 ? null : Enum.Parse<DateOrder>(name);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

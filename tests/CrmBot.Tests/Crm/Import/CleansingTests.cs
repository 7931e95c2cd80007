using CrmBot.Crm.Import;
using CrmBot.Crm.Text;

namespace CrmBot.Tests.Crm.Import;

/// <summary>Tables for each cleansing rule: names, emails, phones, companies, dates, countries.</summary>
public class CleansingTests
{
    [Theory]
    [InlineData("ZOË", true, "Zoë")]
    [InlineData("kim", false, "Kim")]
    [InlineData("  lena  ", true, "Lena")]
    [InlineData("JEAN-PIERRE", true, "Jean-Pierre")]
    [InlineData("o'brien", false, "O'Brien")]
    [InlineData("O'BRIEN", false, "O'Brien")]
    [InlineData("d'angelo", false, "D'Angelo")]
    [InlineData("MCDONALD", false, "McDonald")]
    [InlineData("MACHADO", false, "Machado")]
    [InlineData("VAN DER BERG", false, "van der Berg")]
    [InlineData("van", true, "Van")]
    [InlineData("McDonald", false, "McDonald")]
    [InlineData("DeVito", false, "DeVito")]
    [InlineData("Van der Berg", false, "Van der Berg")]
    [InlineData("mary   ann", true, "Mary Ann")]
    [InlineData("SMITH-O'BRIEN", false, "Smith-O'Brien")]
    [InlineData("ÅSA", true, "Åsa")]
    public void PersonName_IsTrimmedAndRecasedOnlyWhenTypedInOneCase(string input, bool startsFullName, string expected) =>
        Assert.Equal(expected, PersonNames.Clean(input, startsFullName));

    [Theory]
    [InlineData("Doe, Jane", "Jane", "Doe")]
    [InlineData("Jane Doe", "Jane", "Doe")]
    [InlineData("Mary Ann Smith", "Mary Ann", "Smith")]
    [InlineData("Ludwig van Beethoven", "Ludwig", "van Beethoven")]
    [InlineData("Cher", "Cher", "")]
    public void FullName_SplitsIntoFirstAndLast(string full, string first, string last) =>
        Assert.Equal((first, last), PersonNames.Split(full));

    [Theory]
    [InlineData("JOHN.BROWN934@HOOLI.XYZ", "john.brown934@hooli.xyz")]
    [InlineData("  lena.tanaka1013@globex.io ", "lena.tanaka1013@globex.io")]
    [InlineData("Jos.brown201@wayne.com", "jos.brown201@wayne.com")]
    [InlineData("first+tag@sub.example.co.uk", "first+tag@sub.example.co.uk")]
    [InlineData("fatima.novak1014 @ piedpiper.com", "fatima.novak1014@piedpiper.com")] // no address has spaces around its @
    [InlineData("Jane@ Example.com", "jane@example.com")]
    [InlineData(" jane \t@example.com", "jane@example.com")]
    [InlineData("n/a", null)]
    [InlineData("none", null)]
    [InlineData("lena@", null)]
    [InlineData("jane doe@example.com", null)] // a space elsewhere is not a stray one: which half is the address?
    [InlineData("jane @ example", null)]
    [InlineData("@ example.com", null)]
    [InlineData("a@b", null)]
    [InlineData("a..b@example.com", null)]
    [InlineData("a@example.com; b@example.com", null)]
    [InlineData("", null)]
    public void Email_IsLowerCasedRepairedOrRejected(string input, string? expected) =>
        Assert.Equal(expected, EmailAddresses.Normalize(input));

    private static readonly PhoneNormalizer Phones = new();

    [Theory]
    [InlineData("+33 68 8275 274", null, "+33688275274", null)]
    [InlineData("+49 (0)5684211395", null, "+495684211395", null)]
    [InlineData("+44 (0)20 7946 0000", null, "+442079460000", null)]
    [InlineData("0049 3612138425", null, "+493612138425", null)]
    [InlineData("0033 269843557", null, "+33269843557", null)]
    [InlineData("+1 312 555 0162", null, "+13125550162", null)]
    [InlineData("+16175550118", "DE", "+16175550118", null)] // international wins over the region
    [InlineData("6175550118", "US", "+16175550118", null)]
    [InlineData("(206) 555-0127", "US", "+12065550127", null)]
    [InlineData("1-646-555-0127", "US", "+16465550127", null)]
    [InlineData("206-555-0186 ext. 12", "US", "+12065550186", "12")]
    [InlineData("+1 206 555 0186 x7", null, "+12065550186", "7")]
    [InlineData("030 1234567", "DE", "+49301234567", null)]
    [InlineData("032 0399 089", "AU", "+61320399089", null)]
    [InlineData("0011 49 30 1234567", "AU", "+49301234567", null)] // Australia's own international prefix
    public void Phone_BecomesE164(string input, string? region, string e164, string? extension)
    {
        var result = Phones.Normalize(input, region);
        Assert.Null(result.Problem);
        Assert.Equal(e164, result.E164);
        Assert.Equal(extension, result.Extension);
    }

    [Theory]
    [InlineData("047 5828 4881", null, "national number")]
    [InlineData("206-555-0186 ext. 12", null, "national number")]
    [InlineData("6175550118", null, "national number")]
    [InlineData("1-646-555-0127", null, "national number")]
    [InlineData("12", "US", "not a valid number for US")]
    [InlineData("+1 23", null, "not a valid international number")]
    [InlineData("12345", "CN", "not a valid number for CN")] // dialable only inside its area, which the cell lacks
    [InlineData("+86 12345", null, "not a valid international number")]
    [InlineData("555-0101", "US", "not a valid number for US")] // seven digits: no area code
    [InlineData("+44 20 7946", null, "not a valid international number")]
    [InlineData("call me", null, "has no digits")]
    public void Phone_WithoutEnoughToGoOn_IsAProblemNotAGuess(string input, string? region, string problem)
    {
        var result = Phones.Normalize(input, region);
        Assert.Null(result.E164);
        Assert.Contains(problem, result.Problem);
    }

    [Fact]
    public void Phone_Empty_IsNeitherNumberNorProblem() => Assert.Equal(PhoneResult.Empty, Phones.Normalize("  ", "US"));

    [Theory]
    [InlineData("Acme", "acme")]
    [InlineData("ACME, INC.", "acme")]
    [InlineData("Acme Inc", "acme")]
    [InlineData("Acme LLC", "acme")]
    [InlineData("Acme Ltd", "acme")]
    [InlineData("Acme GmbH", "acme")]
    [InlineData("ACME CORPORATION", "acme")]
    [InlineData("Acme Corp", "acme")]
    [InlineData("Acme GmbH & Co. KG", "acme")]
    [InlineData("Acme S.A.", "acme")]
    [InlineData("Acme L.L.C.", "acme")]
    [InlineData("Acme Pty Ltd", "acme")]
    [InlineData("  Stark   Industries, Inc. ", "stark industries")]
    [InlineData("Société Générale", "societe generale")]
    [InlineData("Inc", "inc")] // a name that is only a legal form stays a name
    [InlineData("Johnson & Johnson", "johnson johnson")]
    public void CompanyKey_IgnoresLegalFormCaseAndSpacing(string name, string key) => Assert.Equal(key, CompanyNames.Key(name));

    [Theory]
    [InlineData("Pied Piper, Inc.", "Pied Piper")]
    [InlineData("Wayne Enterprises Corporation", "Wayne Enterprises")]
    [InlineData("Acme GmbH & Co. KG", "Acme")]
    [InlineData("Initech", "Initech")]
    public void CompanyDisplay_DropsLegalForm(string name, string display) => Assert.Equal(display, CompanyNames.WithoutLegalForm(name));

    [Theory]
    [InlineData("2023-03-05", "2023-03-05T00:00:00")]
    [InlineData("2024-11-30T14:02:00Z", "2024-11-30T14:02:00")]
    [InlineData("2024-11-30T14:02:00+01:00", "2024-11-30T13:02:00")]
    [InlineData("2024-11-30 14:02", "2024-11-30T14:02:00")]
    [InlineData("5 Mar 2023", "2023-03-05T00:00:00")]
    [InlineData("5 March 2023", "2023-03-05T00:00:00")]
    [InlineData("Mar 5, 2023", "2023-03-05T00:00:00")]
    [InlineData("5-Mar-2023", "2023-03-05T00:00:00")]
    [InlineData("30.11.2024", "2024-11-30T00:00:00")]
    [InlineData("30/11/2024", "2024-11-30T00:00:00")] // 30 can only be the day
    [InlineData("11/30/2024", "2024-11-30T00:00:00")] // 30 can only be the day
    [InlineData("05/05/2023", "2023-05-05T00:00:00")] // both readings agree
    [InlineData("2023/03/05", "2023-03-05T00:00:00")]
    public void Date_InCommonFormats_IsReadAsUtc(string input, string expected)
    {
        var result = ImportDates.Parse(input);
        Assert.Null(result.Problem);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result.Utc);
        Assert.Equal(DateTimeKind.Utc, result.Utc!.Value.Kind);
    }

    [Theory]
    [InlineData("03/05/2023", "ambiguous")]
    [InlineData("03-05-2023", "ambiguous")]
    [InlineData("03/05/23", "not a date")]
    [InlineData("31/02/2023", "not a date")]
    [InlineData("yesterday", "not a date")]
    [InlineData("45000", "not a date")]
    public void Date_AmbiguousOrUnreadable_IsFlaggedNotGuessed(string input, string problem)
    {
        var result = ImportDates.Parse(input);
        Assert.Null(result.Utc);
        Assert.Contains(problem, result.Problem);
    }

    [Theory]
    [InlineData(DateOrder.DayFirst, "2023-05-03")]
    [InlineData(DateOrder.MonthFirst, "2023-03-05")]
    public void Date_AmbiguousWithAStatedOrder_IsRead(DateOrder order, string expected) =>
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ImportDates.Parse("03/05/2023", order).Utc);

    [Theory]
    [InlineData("DE", "DE")]
    [InlineData("deu", "DE")]
    [InlineData("Germany", "DE")]
    [InlineData("Deutschland", "DE")]
    [InlineData("United States", "US")]
    [InlineData("USA", "US")]
    [InlineData("UK", "GB")]
    [InlineData("United Kingdom", "GB")]
    [InlineData("France", "FR")]
    [InlineData("Australia", "AU")]
    [InlineData("Atlantis", null)]
    public void Country_NameOrCode_BecomesRegion(string input, string? region) => Assert.Equal(region, Countries.ToRegion(input));
}

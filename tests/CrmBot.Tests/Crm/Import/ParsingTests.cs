using System.Text;
using CrmBot.Crm.Import;

namespace CrmBot.Tests.Crm.Import;

/// <summary>Reading exports (BOM, CRLF, quoting) and mapping their headers to fields.</summary>
public class ParsingTests
{
    private static byte[] Utf8(string text, bool bom) =>
        bom ? [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)] : Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(true, "\r\n")]
    [InlineData(false, "\r\n")]
    [InlineData(true, "\n")]
    [InlineData(false, "\n")]
    public void Csv_WithOrWithoutBom_AnyLineEnding_ReadsQuotedFields(bool bom, string newline)
    {
        var text = string.Join(newline,
            "First Name,Last Name,Company,Notes",
            "José,García,\"Wayne Enterprises, Inc.\",\"said \"\"hi\"\"\"",
            "Ann,Lee,\"Multi" + newline + "line\",",
            "") ;
        var table = ContactCsv.Read(Utf8(text, bom));

        Assert.Equal(["First Name", "Last Name", "Company", "Notes"], table.Headers);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(["José", "García", "Wayne Enterprises, Inc.", "said \"hi\""], table.Rows[0].Values);
        Assert.Equal(2, table.Rows[0].Row);
        Assert.Equal("Multi" + newline + "line", table.Rows[1].Values[2]);
        Assert.Equal(3, table.Rows[1].Row);
        Assert.False(table.Rows[0].BadQuoting);
    }

    [Fact]
    public void Csv_SemicolonSeparated_IsDetected()
    {
        var table = ContactCsv.Read(Utf8("Name;Email\r\nJane Doe;jane@example.com\r\nJohn Roe;john@example.com\r\n", bom: true));
        Assert.Equal(["Name", "Email"], table.Headers);
        Assert.Equal(["Jane Doe", "jane@example.com"], table.Rows[0].Values);
    }

    [Fact]
    public void Csv_Utf16WithBom_IsRead()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Name,Email\r\nZoë Müller,zoe@example.com\r\n")).ToArray();
        Assert.Equal("Zoë Müller", ContactCsv.Read(bytes).Rows[0].Values[0]);
    }

    [Fact]
    public void Csv_StrayQuote_IsKeptAndTheRowMarked()
    {
        var table = ContactCsv.Read(Utf8("Name,Email\r\nJo\"hn Doe,john@example.com\r\nJane Doe,jane@example.com\r\n", bom: false));
        Assert.True(table.Rows[0].BadQuoting);
        Assert.False(table.Rows[1].BadQuoting);
    }

    [Fact]
    public void Csv_BlankLines_AreSkipped() =>
        Assert.Single(ContactCsv.Read(Utf8("Name\r\n\r\nJane Doe\r\n,\r\n", bom: false)).Rows);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("\uFEFF", "empty")]
    [InlineData("\r\n\r\n", "empty")]
    [InlineData("First Name,Email\r\n", "no rows")]
    public void Csv_WithoutData_IsAClearError(string text, string message) =>
        Assert.Contains(message, Assert.Throws<ImportException>(() => ContactCsv.Read(Encoding.UTF8.GetBytes(text))).Message);

    [Fact]
    public void Csv_NotUtf8_IsAClearError()
    {
        byte[] latin1 = [.. Encoding.ASCII.GetBytes("Name\r\nM"), 0xFC, .. Encoding.ASCII.GetBytes("ller\r\n")];
        Assert.Contains("not UTF-8", Assert.Throws<ImportException>(() => ContactCsv.Read(latin1)).Message);
    }

    public static TheoryData<string[], ImportField[]> Headers => new()
    {
        // generic spreadsheet
        { ["First Name", "Last Name", "E-mail", "Phone", "Mobile", "Company", "Job Title", "Country", "Owner", "Created"],
          [ImportField.FirstName, ImportField.LastName, ImportField.Email, ImportField.Phone, ImportField.Mobile, ImportField.Company,
           ImportField.Title, ImportField.Country, ImportField.Owner, ImportField.CreatedAt] },
        // Salesforce report labels
        { ["First Name", "Last Name", "Title", "Account Name", "Email", "Phone", "Mobile Phone", "Mailing Country", "Contact Owner", "Created Date"],
          [ImportField.FirstName, ImportField.LastName, ImportField.Title, ImportField.Company, ImportField.Email, ImportField.Phone,
           ImportField.Mobile, ImportField.Country, ImportField.Owner, ImportField.CreatedAt] },
        // Salesforce API names (Data Loader)
        { ["FirstName", "LastName", "Email", "MobilePhone", "MailingCountry", "CreatedDate", "Id"],
          [ImportField.FirstName, ImportField.LastName, ImportField.Email, ImportField.Mobile, ImportField.Country, ImportField.CreatedAt, ImportField.Ignore] },
        // HubSpot
        { ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name", "Job Title", "Country/Region", "Contact owner", "Create Date"],
          [ImportField.Ignore, ImportField.FirstName, ImportField.LastName, ImportField.Email, ImportField.Phone, ImportField.Mobile,
           ImportField.Company, ImportField.Title, ImportField.Country, ImportField.Owner, ImportField.CreatedAt] },
        // one full-name column, snake_case, a second phone column ignored
        { ["name", "email_address", "telephone", "phone", "organisation"],
          [ImportField.FullName, ImportField.Email, ImportField.Phone, ImportField.Ignore, ImportField.Company] },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Headers_FromCommonExports_MapToFields(string[] headers, ImportField[] expected) =>
        Assert.Equal(expected, HeaderMapping.Create(headers).Fields);

    [Fact]
    public void Map_OverridesAndAddsColumns()
    {
        var overrides = HeaderMapping.ParseOverrides(["Kontakt=full-name", "Mail=ignore", "Firma=company", "Tel.=mobile"]);
        var mapping = HeaderMapping.Create(["Kontakt", "Mail", "Firma", "Tel.", "Email"], overrides);
        Assert.Equal([ImportField.FullName, ImportField.Ignore, ImportField.Company, ImportField.Mobile, ImportField.Email], mapping.Fields);
    }

    [Fact]
    public void Map_WinsOverAHeaderThatWouldClaimTheSameField()
    {
        var mapping = HeaderMapping.Create(["Name", "Email", "Work E-mail"], HeaderMapping.ParseOverrides(["Work E-mail=email"]));
        Assert.Equal([ImportField.FullName, ImportField.Ignore, ImportField.Email], mapping.Fields);
    }

    [Theory]
    [InlineData("Email=e-mail", "unknown field 'e-mail'")]
    [InlineData("Email", "must look like column=field")]
    [InlineData("=email", "must look like column=field")]
    public void Map_Malformed_IsAClearError(string map, string message) =>
        Assert.Contains(message, Assert.Throws<ImportException>(() => HeaderMapping.ParseOverrides([map])).Message);

    [Fact]
    public void Map_OfAColumnNotInTheFile_IsAClearError() =>
        Assert.Contains("not in the file's header",
            Assert.Throws<ImportException>(() => HeaderMapping.Create(["Name"], HeaderMapping.ParseOverrides(["Mail=email"]))).Message);

    [Fact]
    public void Headers_WithNoNameColumn_AreAClearError() =>
        Assert.Contains("No column holds a name", Assert.Throws<ImportException>(() => HeaderMapping.Create(["Email", "Phone"])).Message);
}

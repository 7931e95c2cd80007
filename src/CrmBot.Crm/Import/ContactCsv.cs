using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace CrmBot.Crm.Import;

/// <summary>One record of the export. <see cref="Row"/> is the spreadsheet row (the header is row 1).</summary>
public sealed record CsvRow(int Row, string[] Values, bool BadQuoting);

/// <summary>The header and records of an export.</summary>
public sealed record CsvTable(IReadOnlyList<string> Headers, IReadOnlyList<CsvRow> Rows);

/// <summary>
/// Reads exports with CsvHelper: UTF-8 with or without a BOM (UTF-16 with a BOM too), CRLF or LF,
/// quoted fields holding commas, doubled quotes and line breaks. The separator is detected (comma,
/// semicolon as European Excel writes, tab, pipe). Bytes that are not UTF-8 stop the import with a
/// clear error rather than turning "Müller" into "M�ller"; a stray quote is read as text and the row flagged.
/// </summary>
public static class ContactCsv
{
    public static CsvTable Read(string path) => Read(File.ReadAllBytes(path));

    public static CsvTable Read(byte[] bytes)
    {
        var utf8 = ToUtf8(bytes);
        var malformed = new HashSet<long>();
        var options = new CsvReaderOptions { OnMalformedRecord = record => malformed.Add(record.RecordNumber) };
        using var reader = CsvReader.Create(utf8, options);
        reader.ReadHeader();
        var headers = reader.Headers.Select(h => h.Trim()).ToArray();
        if (headers.All(h => h.Length == 0)) throw new ImportException("The file is empty.");

        var rows = new List<CsvRow>();
        while (reader.Read())
        {
            var values = reader.Current.ToArray();
            if (values.All(string.IsNullOrWhiteSpace)) continue;
            // RowNumber counts data records from 1; the header is spreadsheet row 1.
            var row = checked((int)reader.RowNumber + 1);
            rows.Add(new CsvRow(row, values, malformed.Contains(row)));
        }
        if (rows.Count == 0) throw new ImportException("The file has a header but no rows.");
        return new CsvTable(headers, rows);
    }

    private static byte[] ToUtf8(byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            // Excel's "Unicode text" is UTF-16 with a BOM; StreamReader detects which one.
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Encoding.UTF8.GetBytes(reader.ReadToEnd());
        }
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        if (span.IsEmpty || span.Trim((ReadOnlySpan<byte>)[(byte)' ', (byte)'\r', (byte)'\n', (byte)'\t']).IsEmpty)
            throw new ImportException("The file is empty.");
        if (!Utf8.IsValid(span))
            throw new ImportException("The file is not UTF-8 text. Save the export as \"CSV UTF-8\" and try again.");
        return span.Length == bytes.Length ? bytes : span.ToArray();
    }
}

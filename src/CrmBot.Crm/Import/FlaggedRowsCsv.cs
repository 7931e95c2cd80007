using System.Globalization;
using CsvHelper;

namespace CrmBot.Crm.Import;

/// <summary>
/// The flagged rows as a CSV a person can fix and import again: the spreadsheet row number, the
/// reasons, then the original cells under the original headers. UTF-8 with a BOM so Excel shows
/// accents correctly.
/// </summary>
public static class FlaggedRowsCsv
{
    public static void Write(string path, IReadOnlyList<string> headers, IReadOnlyList<FlaggedRow> rows)
    {
        // Cells are written back exactly as read (no formula escaping) so the file can be fixed and re-imported.
        using var csv = CsvWriter.Create(File.Create(path), new CsvWriterOptions { WriteByteOrderMark = true }, leaveOpen: false);
        csv.WriteField("Row");
        csv.WriteField("Reasons");
        foreach (var header in headers) csv.WriteField(header);
        csv.EndRecord();
        foreach (var row in rows)
        {
            csv.WriteField(row.Row.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(string.Join("; ", row.Reasons.Select(r => r.Message)));
            for (var i = 0; i < headers.Count; i++) csv.WriteField(i < row.Values.Count ? row.Values[i] : "");
            csv.EndRecord();
        }
    }
}

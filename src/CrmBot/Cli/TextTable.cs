namespace CrmBot.Cli;

/// <summary>Columns padded to their widest cell, two spaces apart: readable in a terminal and easy to grep.</summary>
internal static class TextTable
{
    public static void Write(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    }
}

using System.Text.Json.Serialization;

namespace CrmBot.Crm.Import;

/// <summary>Why a row was flagged. <see cref="Kind"/> groups reasons for the summary.</summary>
public sealed record ImportFlag(string Kind, string Message)
{
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Country = "country";
    public const string Date = "date";
    public const string Name = "name";
    public const string Duplicate = "possible-duplicate";
    public const string Csv = "csv";
}

/// <summary>A flagged row: its spreadsheet row number, the original cells and every reason.</summary>
/// <remarks>The cells stay out of the JSON report (they are in the flagged-rows CSV).</remarks>
public sealed record FlaggedRow(int Row, [property: JsonIgnore] IReadOnlyList<string> Values, IReadOnlyList<ImportFlag> Reasons);

/// <summary>An owner cell that matched no member, and on how many rows.</summary>
public sealed record UnmatchedOwner(string Owner, int Rows);

/// <summary>
/// What an import did (or, in a dry run, would do). Every row read is exactly one of: created a
/// contact, merged into a contact this import creates, matched a contact already in the store,
/// or skipped. Flagged rows are counted apart: a flagged row is usually still imported.
/// </summary>
public sealed class ContactImportReport
{
    public required string File { get; init; }
    public bool Committed { get; set; }
    /// <summary>True when a dry run found no store yet (everything would be new).</summary>
    public bool StoreMissing { get; set; }
    public int RowsRead { get; set; }
    public int ContactsCreated { get; set; }
    /// <summary>Rows that were duplicates of an earlier row in the same file.</summary>
    public int RowsMerged { get; set; }
    /// <summary>Rows that matched a contact already in the store (whether or not they added anything).</summary>
    public int RowsMatchedExisting { get; set; }
    /// <summary>Contacts already in the store that gained a value.</summary>
    public int ContactsUpdated { get; set; }
    public int CompaniesCreated { get; set; }
    public int RowsFlagged { get; set; }
    /// <summary>Rows not imported at all (no name).</summary>
    public int RowsSkipped { get; set; }
    /// <summary>Where the flagged rows were written, when there were any.</summary>
    public string? FlaggedFile { get; set; }
    /// <summary>Header → field ("ignore" for columns not imported).</summary>
    public Dictionary<string, string> Columns { get; init; } = [];
    /// <summary>Flag kind → number of rows with that kind of reason.</summary>
    public SortedDictionary<string, int> FlagCounts { get; init; } = new(StringComparer.Ordinal);
    public List<FlaggedRow> Flagged { get; init; } = [];
    public List<UnmatchedOwner> UnmatchedOwners { get; init; } = [];
}

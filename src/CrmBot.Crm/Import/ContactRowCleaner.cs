using CrmBot.Crm.Text;

namespace CrmBot.Crm.Import;

/// <summary>One row after cleansing: the values the importer trusts, and what was wrong with the rest.</summary>
internal sealed class CleanRow
{
    public required CsvRow Source { get; init; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? PhoneExtension { get; set; }
    public string? CompanyText { get; set; }
    public string? CompanyKey { get; set; }
    public string? Title { get; set; }
    public string? Country { get; set; }
    public string? Owner { get; set; }
    public DateTime? CreatedAt { get; set; }
    public List<ImportFlag> Flags { get; } = [];

    /// <summary>TextFold of the full name: the name half of the phone+name duplicate key, and SearchName.</summary>
    public string NameKey { get; set; } = "";

    public int Row => Source.Row;
    public bool HasName => FirstName.Length > 0 || LastName.Length > 0;
}

/// <summary>Turns a CSV row into a <see cref="CleanRow"/>: no database, so it runs before any lock is taken.</summary>
internal sealed class ContactRowCleaner(HeaderMapping mapping, PhoneNormalizer phones, string? defaultRegion, DateOrder dateOrder)
{
    private readonly int _first = mapping.IndexOf(ImportField.FirstName);
    private readonly int _last = mapping.IndexOf(ImportField.LastName);
    private readonly int _full = mapping.IndexOf(ImportField.FullName);
    private readonly int _email = mapping.IndexOf(ImportField.Email);
    private readonly int _phone = mapping.IndexOf(ImportField.Phone);
    private readonly int _mobile = mapping.IndexOf(ImportField.Mobile);
    private readonly int _company = mapping.IndexOf(ImportField.Company);
    private readonly int _title = mapping.IndexOf(ImportField.Title);
    private readonly int _country = mapping.IndexOf(ImportField.Country);
    private readonly int _owner = mapping.IndexOf(ImportField.Owner);
    private readonly int _created = mapping.IndexOf(ImportField.CreatedAt);
    private readonly Dictionary<string, (string? Text, string? Key)> _companies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateResult> _dates = new(StringComparer.Ordinal);

    public CleanRow Clean(CsvRow source)
    {
        var row = new CleanRow { Source = source };
        if (source.BadQuoting) row.Flags.Add(new(ImportFlag.Csv, "a quote inside an unquoted field; the cells were read as written"));

        var first = Cell(source, _first);
        var last = Cell(source, _last);
        if (first is null && last is null) (first, last) = PersonNames.Split(Cell(source, _full));
        row.FirstName = PersonNames.Clean(first, startsFullName: true);
        row.LastName = PersonNames.Clean(last, startsFullName: row.FirstName.Length == 0);
        if (row.FirstName.Length == 0 && row.LastName.Length > 0)
            (row.FirstName, row.LastName) = (row.LastName, "");
        if (!row.HasName) row.Flags.Add(new(ImportFlag.Name, "no name; row not imported"));
        row.NameKey = TextFold.Fold(row.LastName.Length == 0 ? row.FirstName : row.FirstName + " " + row.LastName);

        var email = Cell(source, _email);
        if (email is not null)
        {
            row.Email = EmailAddresses.Normalize(email);
            if (row.Email is null) row.Flags.Add(new(ImportFlag.Email, $"invalid email '{email}'; imported without email"));
        }

        var country = Cell(source, _country);
        string? region = null;
        if (country is not null)
        {
            region = Countries.ToRegion(country);
            if (region is null) row.Flags.Add(new(ImportFlag.Country, $"unknown country '{country}'"));
            row.Country = region;
        }
        else
        {
            // Only an empty country falls back to the default: an unknown one is not silently replaced.
            region = defaultRegion;
        }

        var phone = phones.Normalize(Cell(source, _phone), region);
        if (phone.Problem is not null) row.Flags.Add(new(ImportFlag.Phone, phone.Problem + "; imported without it"));
        if (phone.E164 is null)
        {
            var mobile = phones.Normalize(Cell(source, _mobile), region);
            if (mobile.Problem is not null) row.Flags.Add(new(ImportFlag.Phone, "mobile " + mobile.Problem + "; imported without it"));
            phone = mobile;
        }
        row.Phone = phone.E164;
        row.PhoneExtension = phone.Extension;

        var company = Cell(source, _company);
        if (company is not null)
        {
            // Exports repeat a handful of company spellings thousands of times: key each spelling once.
            if (!_companies.TryGetValue(company, out var known))
            {
                var key = CompanyNames.Key(company);
                _companies[company] = known = key.Length > 0 ? (CollapseSpaces(company), key) : (null, null);
            }
            (row.CompanyText, row.CompanyKey) = known;
        }

        row.Title = Cell(source, _title) is { } title ? CollapseSpaces(title) : null;
        row.Owner = Cell(source, _owner);

        var dateText = Cell(source, _created);
        if (dateText is null || !_dates.TryGetValue(dateText, out var date))
        {
            date = ImportDates.Parse(dateText, dateOrder);
            if (dateText is not null) _dates[dateText] = date;
        }
        if (date.Problem is not null) row.Flags.Add(new(ImportFlag.Date, date.Problem + "; the import time is used"));
        row.CreatedAt = date.Utc;
        return row;
    }

    private static string? Cell(CsvRow row, int index)
    {
        if (index < 0 || index >= row.Values.Length) return null;
        var value = row.Values[index].Trim();
        return value.Length == 0 ? null : value;
    }

    private static string CollapseSpaces(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

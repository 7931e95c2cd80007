using CrmBot.Crm.Text;

namespace CrmBot.Crm.Import;

/// <summary>What a column of an export holds.</summary>
public enum ImportField { Ignore, FirstName, LastName, FullName, Email, Phone, Mobile, Company, Title, Country, Owner, CreatedAt }

/// <summary>Bad input to the import (file, mapping, options): reported to the user, nothing written.</summary>
public sealed class ImportException(string message) : Exception(message);

/// <summary>
/// Column headers to fields. Headers are compared folded and without spaces or punctuation, so
/// "First Name", "first_name", "FirstName" and "FIRST-NAME" are one header. The table covers
/// generic spreadsheets, Salesforce (report labels and API names: "Account Name", "MobilePhone",
/// "Mailing Country", "Contact Owner", "Created Date") and HubSpot ("Phone Number", "Company Name",
/// "Country/Region", "Contact owner", "Create Date"). --map column=field overrides any of it.
/// </summary>
public sealed class HeaderMapping
{
    private static readonly Dictionary<string, ImportField> Known = BuildKnown();

    /// <summary>The names --map accepts for each field.</summary>
    public static readonly IReadOnlyDictionary<string, ImportField> FieldNames = new Dictionary<string, ImportField>
    {
        ["first-name"] = ImportField.FirstName, ["last-name"] = ImportField.LastName, ["full-name"] = ImportField.FullName,
        ["email"] = ImportField.Email, ["phone"] = ImportField.Phone, ["mobile"] = ImportField.Mobile,
        ["company"] = ImportField.Company, ["title"] = ImportField.Title, ["country"] = ImportField.Country,
        ["owner"] = ImportField.Owner, ["created"] = ImportField.CreatedAt, ["ignore"] = ImportField.Ignore,
    };

    private readonly ImportField[] _fields;

    private HeaderMapping(IReadOnlyList<string> headers, ImportField[] fields)
    {
        Headers = headers;
        _fields = fields;
    }

    public IReadOnlyList<string> Headers { get; }

    /// <summary>The field of each column, by index; a field is held by at most one column.</summary>
    public IReadOnlyList<ImportField> Fields => _fields;

    public int IndexOf(ImportField field) => Array.IndexOf(_fields, field);

    public bool Has(ImportField field) => IndexOf(field) >= 0;

    /// <summary>Parses "Column Name=field" overrides; throws <see cref="ImportException"/> on an unknown field.</summary>
    public static IReadOnlyDictionary<string, ImportField> ParseOverrides(IEnumerable<string> maps)
    {
        var result = new Dictionary<string, ImportField>(StringComparer.Ordinal);
        foreach (var map in maps)
        {
            var eq = map.LastIndexOf('=');
            if (eq <= 0 || eq == map.Length - 1)
                throw new ImportException($"--map '{map}' must look like column=field, e.g. --map \"E-mail Address=email\".");
            var fieldName = map[(eq + 1)..].Trim().ToLowerInvariant();
            if (!FieldNames.TryGetValue(fieldName, out var field))
                throw new ImportException($"--map '{map}': unknown field '{fieldName}'. Fields: {string.Join(", ", FieldNames.Keys)}.");
            result[HeaderKey(map[..eq])] = field;
        }
        return result;
    }

    /// <summary>Maps the headers; overrides are keyed by <see cref="HeaderKey"/>. Throws when the mapping is unusable.</summary>
    public static HeaderMapping Create(IReadOnlyList<string> headers, IReadOnlyDictionary<string, ImportField>? overrides = null)
    {
        overrides ??= new Dictionary<string, ImportField>();
        var keys = headers.Select(HeaderKey).ToArray();
        foreach (var column in overrides.Keys.Where(k => !keys.Contains(k)))
            throw new ImportException($"--map names a column '{column}' that is not in the file's header ({string.Join(", ", headers)}).");

        var fields = new ImportField[headers.Count];
        var taken = new HashSet<ImportField>();
        // Overrides first, so they win over a header that would otherwise claim the same field.
        for (var i = 0; i < keys.Length; i++)
        {
            if (!overrides.TryGetValue(keys[i], out var field)) continue;
            if (field != ImportField.Ignore && !taken.Add(field))
                throw new ImportException($"--map gives the field '{Name(field)}' to more than one column.");
            fields[i] = field;
        }
        for (var i = 0; i < keys.Length; i++)
        {
            if (overrides.ContainsKey(keys[i])) continue;
            // A second column for a field already taken is ignored (reported with the mapping).
            fields[i] = Known.TryGetValue(keys[i], out var field) && taken.Add(field) ? field : ImportField.Ignore;
        }

        var mapping = new HeaderMapping(headers, fields);
        if (!mapping.Has(ImportField.FirstName) && !mapping.Has(ImportField.LastName) && !mapping.Has(ImportField.FullName))
            throw new ImportException($"No column holds a name (headers: {string.Join(", ", headers)}); use --map \"Column=full-name\" or first-name/last-name.");
        return mapping;
    }

    public static string Name(ImportField field) => FieldNames.First(kv => kv.Value == field).Key;

    /// <summary>"First Name", "first_name", "FirstName" → "firstname".</summary>
    public static string HeaderKey(string header) => TextFold.Fold(header).Replace(" ", "", StringComparison.Ordinal);

    private static Dictionary<string, ImportField> BuildKnown()
    {
        var table = new (ImportField Field, string[] Headers)[]
        {
            (ImportField.FirstName, ["First Name", "FirstName", "Given Name", "Forename", "First"]),
            (ImportField.LastName, ["Last Name", "LastName", "Surname", "Family Name", "Last"]),
            (ImportField.FullName, ["Name", "Full Name", "Contact Name", "Contact", "Display Name"]),
            (ImportField.Email, ["Email", "E-mail", "Email Address", "E-mail Address", "Mail", "Work Email", "Primary Email", "Business Email"]),
            (ImportField.Phone, ["Phone", "Phone Number", "Telephone", "Tel", "Business Phone", "Work Phone", "Office Phone", "Direct Phone"]),
            (ImportField.Mobile, ["Mobile", "Mobile Phone", "MobilePhone", "Mobile Phone Number", "Mobile Number", "Cell", "Cell Phone"]),
            (ImportField.Company, ["Company", "Company Name", "Account", "Account Name", "Organization", "Organisation", "Associated Company", "Employer"]),
            (ImportField.Title, ["Title", "Job Title", "JobTitle", "Position", "Role"]),
            (ImportField.Country, ["Country", "Country/Region", "Mailing Country", "MailingCountry", "Country Code"]),
            (ImportField.Owner, ["Owner", "Contact Owner", "Owner Email", "Owner Name", "Assigned To", "Sales Rep"]),
            (ImportField.CreatedAt, ["Created", "Created Date", "CreatedDate", "Created At", "Created On", "Create Date", "Date Created", "Date Added", "Creation Date"]),
        };
        var known = new Dictionary<string, ImportField>(StringComparer.Ordinal);
        foreach (var (field, names) in table)
            foreach (var name in names) known[HeaderKey(name)] = field;
        return known;
    }
}

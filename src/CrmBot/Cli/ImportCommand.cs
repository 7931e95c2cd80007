using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrmBot.Crm;
using CrmBot.Crm.Import;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CrmBot.Cli;

/// <summary>
/// <c>import contacts FILE.csv</c>: a dry run unless --commit. The dry run opens the store
/// read-only, so it cannot write even by mistake; --commit migrates the store and writes the whole
/// import in one transaction. Flagged rows go to FILE.flagged.csv beside the input (or --report-dir)
/// before anything is committed, so a failure to write them leaves the store untouched too.
/// </summary>
internal static class ImportCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The CSV export (UTF-8, with or without BOM)." };
        var commit = new Option<bool>("--commit") { Description = "Write to the store. Without it, only report what would happen." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var map = new Option<string[]>("--map")
        {
            Description = $"Map a column to a field, e.g. --map \"E-mail Address=email\" (repeatable). Fields: {string.Join(", ", HeaderMapping.FieldNames.Keys)}.",
            HelpName = "column=field",
        };
        var region = new Option<string?>("--default-region")
        {
            Description = "Region code (US, GB, DE…) for national phone numbers on rows with no country.",
            HelpName = "XX",
        };
        var dateOrder = new Option<string?>("--date-order")
        {
            Description = "How to read ambiguous numeric dates like 03/05/2023: dmy or mdy. Without it they are flagged.",
        };
        dateOrder.AcceptOnlyFromAmong("dmy", "mdy");
        var reportDir = new Option<DirectoryInfo?>("--report-dir") { Description = "Where to write FILE.flagged.csv (default: beside the input)." };

        var contacts = new Command("contacts", "Import contacts from a CSV export, cleansing and merging duplicates.")
        {
            file, commit, json, map, region, dateOrder, reportDir,
        };
        contacts.SetAction((parse, ct) => RunAsync(new Request(
            parse.GetRequiredValue(file), parse.GetValue(commit), parse.GetValue(json), parse.GetValue(map) ?? [],
            parse.GetValue(region), parse.GetValue(dateOrder), parse.GetValue(reportDir)), ct));

        var import = new Command("import", "Bring data in from other systems.");
        import.Subcommands.Add(contacts);
        return import;
    }

    private sealed record Request(FileInfo File, bool Commit, bool Json, string[] Map, string? Region, string? DateOrder, DirectoryInfo? ReportDir);

    private static async Task<int> RunAsync(Request request, CancellationToken ct)
    {
        try
        {
            var report = await ImportAsync(request, ct);
            if (request.Json) Console.Out.WriteLine(JsonSerializer.Serialize(report, Json));
            else Render(report);
            return 0;
        }
        catch (ImportException e)
        {
            await Console.Error.WriteLineAsync($"import contacts: {e.Message} Nothing was written.");
            return 1;
        }
    }

    private static async Task<ContactImportReport> ImportAsync(Request request, CancellationToken ct)
    {
        // Everything about the input is checked before the store is touched.
        if (!request.File.Exists) throw new ImportException($"File not found: {request.File.FullName}.");
        var overrides = HeaderMapping.ParseOverrides(request.Map);
        var region = request.Region?.Trim();
        if (region is not null && !Countries.IsPhoneRegion(region))
            throw new ImportException($"--default-region '{region}' is not a region code (use two letters, e.g. US, GB, DE).");
        var reportDir = request.ReportDir?.FullName ?? request.File.DirectoryName!;
        if (!Directory.Exists(reportDir)) throw new ImportException($"--report-dir '{reportDir}' does not exist.");
        var table = ContactCsv.Read(request.File.FullName);
        var options = new ContactImportOptions
        {
            SourceName = request.File.Name,
            DefaultRegion = region?.ToUpperInvariant(),
            ColumnOverrides = overrides,
            DateOrder = request.DateOrder switch { "dmy" => DateOrder.DayFirst, "mdy" => DateOrder.MonthFirst, _ => DateOrder.Unknown },
        };

        using var host = CliHost.Create();
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var configured = services.GetRequiredService<CrmDbContext>();
        await using var readOnly = request.Commit ? null : ReadOnlyContext(configured);
        if (request.Commit) await services.GetRequiredService<StoreMigrator>().MigrateAsync(ct);
        var importer = request.Commit
            ? services.GetRequiredService<ContactImporter>()
            : ActivatorUtilities.CreateInstance<ContactImporter>(services, readOnly!);

        await using var plan = await importer.PlanAsync(table, options, forCommit: request.Commit, ct);
        var report = plan.Report;
        if (report.RowsFlagged > 0)
        {
            var flaggedPath = Path.Combine(reportDir, Path.GetFileNameWithoutExtension(request.File.Name) + ".flagged.csv");
            try
            {
                FlaggedRowsCsv.Write(flaggedPath, table.Headers, report.Flagged);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImportException($"Could not write the flagged rows to {flaggedPath}: {e.Message}");
            }
            report.FlaggedFile = flaggedPath;
        }
        if (request.Commit) await plan.CommitAsync(ct);
        return report;
    }

    /// <summary>The configured store opened read-only: a dry run cannot write, and does not create a missing file.</summary>
    private static CrmDbContext ReadOnlyContext(CrmDbContext configured)
    {
        var connection = new SqliteConnectionStringBuilder(configured.Database.GetConnectionString()) { Mode = SqliteOpenMode.ReadOnly };
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        CrmServiceCollectionExtensions.ConfigureStore(builder, connection.ToString());
        return new CrmDbContext(builder.Options);
    }

    private static void Render(ContactImportReport report)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine(report.Committed
            ? $"[green]Imported[/] {Markup.Escape(report.File)}."
            : $"[yellow]Dry run[/] of {Markup.Escape(report.File)}: nothing was written. Run again with [bold]--commit[/] to import.");
        if (report.StoreMissing) console.MarkupLine("[grey]The store does not exist yet; every contact would be new.[/]");

        var counts = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("Rows / records").RightAligned());
        void Count(string label, int value) => counts.AddRow(label, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Count("Rows read", report.RowsRead);
        Count(report.Committed ? "Contacts created" : "Contacts to create", report.ContactsCreated);
        Count("Rows merged (duplicates within the file)", report.RowsMerged);
        Count("Rows matching contacts already in the store", report.RowsMatchedExisting);
        Count(report.Committed ? "Existing contacts updated" : "Existing contacts to update", report.ContactsUpdated);
        Count(report.Committed ? "Companies created" : "Companies to create", report.CompaniesCreated);
        Count("Rows flagged", report.RowsFlagged);
        Count("Rows skipped (no name)", report.RowsSkipped);
        console.Write(counts);

        if (report.FlagCounts.Count > 0)
        {
            var reasons = new Table().Border(TableBorder.Rounded).AddColumn("Flag").AddColumn(new TableColumn("Rows").RightAligned());
            foreach (var (kind, rows) in report.FlagCounts) reasons.AddRow(Markup.Escape(kind), rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
            console.Write(reasons);

            var sample = new Table().Border(TableBorder.Simple).AddColumn("Row").AddColumn("Why");
            foreach (var row in report.Flagged.Take(10))
                sample.AddRow(row.Row.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(string.Join("; ", row.Reasons.Select(r => r.Message))));
            console.MarkupLine(report.Flagged.Count > 10 ? "First 10 flagged rows:" : "Flagged rows:");
            console.Write(sample);
        }
        if (report.FlaggedFile is not null)
            console.MarkupLine($"All flagged rows, with their reasons: [bold]{Markup.Escape(report.FlaggedFile)}[/]");

        if (report.UnmatchedOwners.Count > 0)
        {
            console.MarkupLine("Owners with no CrmBot member (left empty; import again once they have joined to fill them in):");
            foreach (var owner in report.UnmatchedOwners)
                console.MarkupLine($"  {Markup.Escape(owner.Owner)} ({owner.Rows} rows)");
        }

        var columns = new Table().Border(TableBorder.Simple).AddColumn("Column").AddColumn("Field");
        foreach (var (header, field) in report.Columns)
            columns.AddRow(Markup.Escape(header), field == "ignore" ? "[grey]ignored[/]" : Markup.Escape(field));
        console.Write(columns);
    }
}

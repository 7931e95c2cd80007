using System.Diagnostics;
using System.Globalization;
using System.Text;

// Usage: dotnet run -c Release --project bench/CrmBot.ImportBench [-- rows [runs]]
// Generates a messy export (fixed seed: every run of the bench imports the same file), then runs
// `CrmBot import contacts FILE --commit` as its own process against a fresh SQLite file each time.
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;

var work = Path.Combine(Path.GetTempPath(), "crmbot-importbench");
Directory.CreateDirectory(work);
var csv = Path.Combine(work, $"contacts-{rows}.csv");
var duplicates = MessyExport.Write(csv, rows, seed: 20261122);
Console.WriteLine($"Wrote {rows:N0} rows ({duplicates:N0} deliberate duplicates) to {csv} ({new FileInfo(csv).Length / 1024:N0} KiB)");

var crmBot = Path.Combine(AppContext.BaseDirectory, "CrmBot.dll");
var times = new List<double>();
for (var run = 1; run <= runs; run++)
{
    var db = Path.Combine(work, $"bench-{run}.db");
    foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f);
    var start = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { crmBot, "import", "contacts", csv, "--commit", "--json", "--report-dir", work }) start.ArgumentList.Add(a);
    start.Environment["ConnectionStrings__Crm"] = $"Data Source={db}";
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    watch.Stop();
    if (process.ExitCode != 0) throw new InvalidOperationException($"import failed ({process.ExitCode}): {await stderr}");
    var summary = System.Text.Json.JsonDocument.Parse(await stdout).RootElement;
    times.Add(watch.Elapsed.TotalSeconds);
    Console.WriteLine($"run {run}: {watch.Elapsed.TotalSeconds:F1} s — created {summary.GetProperty("contactsCreated")}, merged {summary.GetProperty("rowsMerged")}, flagged {summary.GetProperty("rowsFlagged")}, companies {summary.GetProperty("companiesCreated")}");
}
times.Sort();
Console.WriteLine($"median of {runs}: {times[times.Count / 2]:F1} s for {rows:N0} rows (whole process: start-up, migration, parse, plan, commit)");

/// <summary>A legacy export as CRMs really produce them: mixed case, junk emails, phones in every format.</summary>
internal static class MessyExport
{
    private static readonly string[] First = ["Carlos", "Emma", "Noah", "Grace", "John", "Olivia", "Ava", "Jürgen", "Liam", "Nadia", "Chloé", "Samuel", "Lena", "Ivan", "Mateo", "Fatima", "Zoë", "Priya", "Mia", "Jane", "Omar", "Anna", "Elena", "Lucas", "José", "Yuki", "Aisha", "Hiroshi", "Maria", "Björn", "Ahmed", "Tomás", "Peter", "Wei", "Sofia"];
    private static readonly string[] Last = ["Sato", "Li", "Nguyen", "Hughes", "Doe", "Tanaka", "Kowalski", "Rossi", "Novak", "Silva", "Costa", "Khan", "Walker", "Dubois", "Smith", "Müller", "Andersson", "Ivanova", "Chen", "Johnson", "Brown", "Martin", "Hassan", "García", "O'Brien", "Fischer", "Kim", "Petrov", "Patel", "Schmidt", "Lopez", "Haddad", "van der Berg", "McDonald"];
    private static readonly string[] Companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Pied Piper", "Stark Industries", "Wayne Enterprises", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Oceanic", "Vandelay Industries"];
    private static readonly string[] Suffixes = ["", " Inc", " Inc.", ", Inc.", " LLC", " Ltd", " GmbH", " Corp", " Corporation"];
    private static readonly string[] Domains = ["acme.com", "globex.io", "initech.com", "umbrella.co", "hooli.xyz", "piedpiper.com", "stark.com", "wayne.com", "wonka.co.uk", "tyrell.com", "cyberdyne.ai", "soylent.com", "oceanic.au", "vandelay.com"];
    private static readonly string[] Titles = ["VP Sales", "CFO", "Head of Procurement", "", "Office Manager", "CTO", "Account Director", "Engineer", "Buyer"];
    private static readonly string[] Owners = ["", "kim@ourco.example", "alex@ourco.example", "sam@ourco.example"];
    private static readonly string[] Dates = ["", "2024-11-30T14:02:00Z", "5 Mar 2023", "30.11.2024", "2023-03-05", "03/05/2023", "17/06/2022"];
    private static readonly (string Cc, int Digits)[] Countries = [("49", 10), ("44", 10), ("33", 9), ("61", 9), ("1", 10)];

    private sealed record Person(string First, string Last, string Email, string Cc, string National, int Company);

    public static int Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var people = new List<Person>();
        var sb = new StringBuilder();
        using var writer = new StreamWriter(path, false, new UTF8Encoding(true));
        writer.Write("First Name,Last Name,Email,Phone,Company,Job Title,Owner,Created\r\n");
        var duplicates = 0;
        for (var i = 0; i < rows; i++)
        {
            Person person;
            if (people.Count > 100 && random.NextDouble() < 0.15)
            {
                person = people[random.Next(people.Count)];
                duplicates++;
            }
            else
            {
                var first = First[random.Next(First.Length)];
                var last = Last[random.Next(Last.Length)];
                var (cc, digits) = Countries[random.Next(Countries.Length)];
                var national = cc == "1"
                    ? $"{random.Next(201, 990)}555{random.Next(100, 200):D4}"
                    : random.Next(2, 10).ToString(CultureInfo.InvariantCulture) + random.NextInt64(0, (long)Math.Pow(10, digits - 1)).ToString($"D{digits - 1}", CultureInfo.InvariantCulture);
                var local = $"{Ascii(first)}.{Ascii(last)}{i}".ToLowerInvariant();
                person = new Person(first, last, $"{local}@{Domains[random.Next(Domains.Length)]}", cc, national, random.Next(Companies.Length));
                people.Add(person);
            }
            sb.Clear();
            Field(sb, Case(person.First, random)).Append(',');
            Field(sb, (random.NextDouble() < 0.05 ? " " : "") + Case(person.Last, random)).Append(',');
            Field(sb, Email(person.Email, random)).Append(',');
            Field(sb, Phone(person.Cc, person.National, random)).Append(',');
            var company = Companies[person.Company] + Suffixes[random.Next(Suffixes.Length)];
            Field(sb, random.NextDouble() < 0.1 ? company.ToUpperInvariant() : company).Append(',');
            Field(sb, Titles[random.Next(Titles.Length)]).Append(',');
            Field(sb, Owners[random.Next(Owners.Length)]).Append(',');
            Field(sb, Dates[random.Next(Dates.Length)]).Append("\r\n");
            writer.Write(sb);
        }
        return duplicates;
    }

    private static string Case(string name, Random random) => random.NextDouble() switch
    {
        < 0.08 => name.ToUpperInvariant(),
        < 0.12 => name.ToLowerInvariant(),
        _ => name,
    };

    private static string Email(string email, Random random) => random.NextDouble() switch
    {
        < 0.06 => "",
        < 0.08 => "n/a",
        < 0.10 => email.Replace("@", " @ ", StringComparison.Ordinal),
        < 0.12 => email[..(email.IndexOf('@') + 1)],
        < 0.25 => email.ToUpperInvariant(),
        < 0.32 => $"  {email} ",
        _ => email,
    };

    private static string Phone(string cc, string national, Random random)
    {
        var trunk = cc == "1" ? "" : "0";
        return random.Next(9) switch
        {
            0 => $"+{cc}{national}",
            1 => $"+{cc} {national[..2]} {national[2..6]} {national[6..]}",
            2 => $"00{cc} {national}",
            3 => cc == "1" ? $"+1 ({national[..3]}) {national[3..6]}-{national[6..]}" : $"+{cc} (0){national}",
            4 => $"{trunk}{national[..2]} {national[2..6]} {national[6..]}",
            5 => cc == "1" ? $"{national[..3]}-{national[3..6]}-{national[6..]} ext. 12" : $"+{cc}{national} ext. 7",
            6 => "",
            _ => $"+{cc}.{national}",
        };
    }

    private static StringBuilder Field(StringBuilder sb, string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? sb.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"') : sb.Append(value);

    private static string Ascii(string s) => new(s.Normalize(NormalizationForm.FormD).Where(char.IsAsciiLetter).ToArray());
}

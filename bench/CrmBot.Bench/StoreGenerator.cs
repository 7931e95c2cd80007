using System.Diagnostics;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Bench;

/// <summary>How big a store to generate. The defaults are the benchmark store of issue 9.</summary>
public sealed record StoreSize(int Members = 10_000, int Companies = 10_000, int Contacts = 100_000, int Deals = 100_000,
    int Activities = 1_000_000, int FollowUps = 1_000_000)
{
    public static StoreSize Scaled(double factor) => new(
        Math.Max(10, (int)(10_000 * factor)), Math.Max(10, (int)(10_000 * factor)), Math.Max(20, (int)(100_000 * factor)),
        Math.Max(10, (int)(100_000 * factor)), Math.Max(20, (int)(1_000_000 * factor)), Math.Max(20, (int)(1_000_000 * factor)));
}

/// <summary>
/// Builds a large store fast: the schema, search indexes and triggers come from the product's own
/// <see cref="StoreMigrator"/>; the rows go in through prepared Microsoft.Data.Sqlite commands in one
/// transaction (no EF change tracking). Search keys are made with the product's <see cref="TextFold"/>
/// and <see cref="CompanyNames"/>, and the FTS5 indexes are filled by the product's triggers, so the
/// services find exactly what they would have written themselves.
/// </summary>
/// <remarks>
/// Half the members are Teams users (tenant <see cref="TeamsTenant"/>, user ids "29:bench-{n}"), half Slack
/// users (team <see cref="SlackTeam"/>, "UBENCH{n}"): the load tool sends its turns as them. Each member owns
/// about ten contacts and has about a hundred follow-ups, most of them done; a few are overdue and two are
/// due today in the member's zone. Members 1–10 are admins; the rest are in teams of a manager and 5–10 reps.
/// Deals carry what the pipeline reports read (see <see cref="DealPlan"/>). Seeded random, so two stores of one
/// size are the same, up to "now".
/// </remarks>
public static class StoreGenerator
{
    public const string TeamsTenant = "bench-tenant";
    public const string SlackTeam = "TBENCH";

    private static readonly string[] Zones =
        ["UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo"];

    private static readonly string[] FirstNames =
    [
        "Jane", "John", "José", "Zoë", "Björn", "Łukasz", "Renée", "Søren", "Chloé", "François", "Jürgen", "Ana", "Siobhán", "Mateo",
        "Amélie", "Noah", "Emma", "Liam", "Olivia", "Lucas", "Mia", "Hugo", "Léa", "Elias", "Ines", "Marta", "Pedro", "Sofía", "Andrés",
        "Kai", "Yuki", "Hiroshi", "Aiko", "Priya", "Arjun", "Fatima", "Omar", "Leila", "Dmitri", "Olga", "Ivan", "Katarzyna", "Tomasz",
        "Agnieszka", "Henrik", "Astrid", "Lars", "Ingrid", "Niamh", "Seán", "Aoife", "Ciarán", "Marco", "Giulia", "Luca", "Chiara",
        "Paul", "Anne", "Peter", "Maria", "David", "Sarah", "Michael", "Laura", "Daniel", "Julia", "Thomas", "Lisa", "Robert", "Nora",
        "Ahmed", "Mehmet", "Ayşe", "Zeynep", "Chen", "Wei", "Li", "Min-jun", "Ji-woo", "Thabo", "Amara", "Kwame", "Nia", "Rafael",
    ];

    private static readonly string[] LastNames =
    [
        "Doe", "Müller", "García", "O'Brien", "Nuñez", "Kowalski", "Dvořák", "Ångström", "Çelik", "Smith", "Johnson", "Williams",
        "Brown", "Jones", "Miller", "Davis", "Martínez", "Hernández", "López", "González", "Wilson", "Anderson", "Thomas", "Taylor",
        "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis",
        "Schröder", "Schäfer", "Weiß", "Krüger", "Lefèvre", "Dubois", "Moreau", "Laurent", "Rossi", "Russo", "Ferrari", "Esposito",
        "Nowak", "Wiśniewski", "Wójcik", "Jensen", "Nielsen", "Hansen", "Pedersen", "Johansson", "Karlsson", "Nilsson", "Murphy",
        "Kelly", "Byrne", "Ryan", "Yamamoto", "Tanaka", "Suzuki", "Kim", "Park", "Singh", "Patel", "Kumar", "Yılmaz", "Kaya", "Novák",
    ];

    private static readonly string[] SurnameStems =
    [
        "Berg", "Lind", "Holm", "Sand", "Nord", "Stein", "Rosen", "Wald", "Fisch", "Kessel", "Hart", "Mor", "Gar", "Fer", "Mar", "Cas",
        "Del", "Vil", "Bran", "Cor", "Dal", "Est", "Fal", "Gran", "Hal", "Jor", "Kal", "Lor", "Mon", "Nav", "Or", "Pal", "Quin", "Ros",
        "Sal", "Tor", "Val", "Wes", "Zan", "Ald",
    ];

    private static readonly string[] SurnameEnds =
    [
        "mann", "qvist", "berg", "ström", "ton", "son", "ez", "elli", "ini", "ford", "wood", "ley", "sky", "ova", "enko", "escu", "ides",
        "oğlu", "sen", "stad", "ier", "ault", "ard", "ek", "ić",
    ];

    private static readonly string[] CompanyWords =
    [
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay",
        "Aperture", "Black Mesa", "Nakatomi", "Oceanic", "Gringotts", "Monarch", "Dunder", "Pied Piper", "Massive", "Blue Sun",
        "Zorg", "Weyland", "Yoyodyne", "Prestige", "Sterling", "Cooper", "Nordwind", "Südstern", "Élan", "Größe", "Fjord", "Alpen",
        "Solar", "Lunar", "Polar", "Vector", "Quantum", "Atlas", "Orion", "Nova", "Apex", "Summit", "Harbor", "Meridian", "Pioneer",
        "Keystone", "Evergreen", "Silverline", "Redwood", "Bluebird", "Ironclad", "Brightway", "Crescent", "Horizon", "Lighthouse",
    ];

    private static readonly string[] CompanyKinds =
    [
        "Logistics", "Foods", "Energy", "Systems", "Labs", "Robotics", "Textiles", "Pharma", "Media", "Analytics", "Motors", "Bank",
        "Insurance", "Retail", "Software", "Consulting", "Airlines", "Shipping", "Hotels", "Mining", "Chemicals", "Telecom", "Games",
    ];

    private static readonly string[] LegalForms = ["Inc.", "GmbH", "Ltd", "LLC", "S.A.", "AG", "", "", ""];
    private const string Won = "Closed Won", Lost = "Closed Lost";
    private static readonly string[] OpenStages = ["Lead", "Qualified", "Meeting Scheduled", "Proposal Sent", "Negotiation"];
    /// <summary>Where open deals sit: most early in the funnel.</summary>
    private static readonly int[] OpenStageWeights = [30, 25, 20, 15, 10];
    /// <summary>Typed by people, so one reason comes in several spellings (the win-rate report folds case).</summary>
    private static readonly string[] LossReasons =
        ["Price", "price", "PRICE", "Competitor", "competitor", "No budget", "no budget", "Timing", "timing", "No decision", "Went dark", "Missing feature"];
    private static readonly string[] WinReasons = ["Best fit", "Price", "Strong champion", "Existing customer"];
    private static readonly string[] Currencies = ["USD", "USD", "USD", "USD", "USD", "USD", "USD", "EUR", "EUR", "GBP"];
    private static readonly string[] ActivityTypes = ["Call", "Meeting", "Email", "Note"];
    private static readonly string[] Notes =
    [
        "Discussed renewal pricing and the timeline for the rollout.", "Intro call; they use a spreadsheet today.",
        "Demo of the reporting module went well, wants a trial.", "Sent the proposal with the volume discount.",
        "Left a voicemail about the contract.", "Lunch meeting, talked about next year's budget.",
    ];

    /// <summary>Creates (or replaces) the store at <paramref name="path"/>; returns the time it took.</summary>
    public static async Task<TimeSpan> GenerateAsync(string path, StoreSize size, Action<string> progress, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);

        // The product's schema: migrations, WAL, FTS5 tables and their triggers.
        var options = CrmServiceCollectionExtensions.ConfigureStore(new DbContextOptionsBuilder<CrmDbContext>(), $"Data Source={path}").Options;
        await using (var db = new CrmDbContext((DbContextOptions<CrmDbContext>)options))
            await new StoreMigrator(db).MigrateAsync(ct);
        progress($"schema ready ({total.Elapsed.TotalSeconds:F1} s)");

        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(ct);
        // Generation only: a store that dies half-written is simply generated again, so the loader
        // skips syncs and keeps index pages in a large cache. The service opens it with its own settings.
        await Exec(connection, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;");

        var random = new Random(20261122);
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);

        var zones = new string[size.Members + 1];
        // Its own random, so the teams do not change the names drawn for members, contacts and the rest.
        var teamRandom = new Random(20261207);
        int manager = 0, teamLeft = 0;
        var step = Stopwatch.StartNew();
        using (var cmd = Insert(connection, tx, "Members", "Channel", "TenantId", "UserId", "DisplayName", "Email", "Role", "AdminGrant",
                   "TimeZone", "ManagerId", "DigestEnabled", "StageNotifications", "CreatedAt", "LastSeenAt", "WeeklyDigestEnabled", "WeeklyDigestEveryone"))
        {
            for (var i = 1; i <= size.Members; i++)
            {
                var teams = i % 2 == 1;
                var name = $"{Pick(random, FirstNames)} {Pick(random, LastNames)}";
                zones[i] = Zones[i % Zones.Length];
                int role;
                int? managerId = null;
                if (i <= 10) role = (int)MemberRole.Admin;
                else if (teamLeft == 0)
                {
                    role = (int)MemberRole.Manager;
                    manager = i;
                    teamLeft = teamRandom.Next(5, 11);
                }
                else
                {
                    role = (int)MemberRole.Rep;
                    managerId = manager;
                    teamLeft--;
                }
                Run(cmd, teams ? ChannelIds.Teams : ChannelIds.Slack, teams ? TeamsTenant : SlackTeam, MemberUserId(i), name,
                    $"member{i}@bench.example", role, i <= 10 ? (int)AdminGrant.Chat : (int)AdminGrant.None, zones[i], managerId, 1, 0,
                    now.AddDays(-400), now.AddDays(-1), 1, 0);
            }
        }
        progress($"{size.Members:N0} members ({step.Elapsed.TotalSeconds:F1} s)");

        step.Restart();
        var companyKeys = new HashSet<string>();
        using (var cmd = Insert(connection, tx, "Companies", "Name", "NormalizedName", "Domain", "CreatedAt"))
        {
            for (var i = 1; i <= size.Companies; i++)
            {
                string name, key;
                var attempt = 0;
                do
                {
                    var baseName = $"{Pick(random, CompanyWords)} {Pick(random, CompanyKinds)}" + (attempt++ > 3 ? $" {i}" : "");
                    var legal = Pick(random, LegalForms);
                    name = legal.Length == 0 ? baseName : $"{baseName} {legal}";
                    key = CompanyNames.Key(name);
                } while (!companyKeys.Add(key));
                Run(cmd, name, key, key.Replace(' ', '-') + ".example", now.AddDays(-random.Next(30, 800)));
            }
        }
        progress($"{size.Companies:N0} companies ({step.Elapsed.TotalSeconds:F1} s)");

        step.Restart();
        var contactOwner = new int[size.Contacts + 1];
        var contactCompany = new int[size.Contacts + 1];
        var ownedContacts = new List<int>[size.Members + 1];
        for (var m = 1; m <= size.Members; m++) ownedContacts[m] = [];
        using (var cmd = Insert(connection, tx, "Contacts", "FirstName", "LastName", "Email", "Phone", "Title", "Country", "CompanyId",
                   "OwnerId", "SearchName", "CreatedAt", "UpdatedAt"))
        {
            for (var i = 1; i <= size.Contacts; i++)
            {
                var first = Pick(random, FirstNames);
                var last = random.Next(3) == 0 ? Pick(random, LastNames) : Pick(random, SurnameStems) + Pick(random, SurnameEnds);
                var owner = 1 + (i - 1) % size.Members;
                var company = 1 + random.Next(size.Companies);
                contactOwner[i] = owner;
                contactCompany[i] = company;
                ownedContacts[owner].Add(i);
                var created = now.AddDays(-random.Next(1, 700));
                Run(cmd, first, last, $"{TextFold.Fold(first).Replace(' ', '.')}.{TextFold.Fold(last).Replace(' ', '.')}{i}@example.com",
                    $"+1415555{i % 10_000:D4}", "Buyer", "US", company, owner, TextFold.Fold($"{first} {last}"), created, created);
            }
        }
        progress($"{size.Contacts:N0} contacts, search index filled by the triggers ({step.Elapsed.TotalSeconds:F1} s)");

        step.Restart();
        var plans = new DealPlan[size.Deals + 1];
        var dealRandom = new Random(20261208);
        var changes = 0;
        using (var cmd = Insert(connection, tx, "Deals", "Name", "Amount", "Currency", "Stage", "CompanyId", "ContactId", "OwnerId",
                   "ExpectedClose", "CloseReason", "SearchName", "CreatedAt", "UpdatedAt"))
        using (var history = Insert(connection, tx, "DealStageChanges", "DealId", "FromStage", "ToStage", "Reason", "ChangedById", "ChangedAt"))
        {
            for (var i = 1; i <= size.Deals; i++)
            {
                var contact = 1 + dealRandom.Next(size.Contacts);
                var plan = plans[i] = DealPlan.Draw(dealRandom, contact, contactOwner[contact], now);
                var name = $"{Pick(dealRandom, CompanyWords)} {Pick(dealRandom, CompanyKinds)} renewal {i}";
                var last = plan.Changes[^1];
                Run(cmd, name, $"{dealRandom.Next(1_000, 250_000)}.00", Pick(dealRandom, Currencies), last.To, contactCompany[contact], contact,
                    plan.Owner, plan.ExpectedClose(dealRandom, today)?.ToString("yyyy-MM-dd"), last.Reason, TextFold.Fold(name), plan.Created,
                    last.At);
                string? from = null;
                foreach (var change in plan.Changes)
                {
                    Run(history, i, from, change.To, change.Reason, plan.Owner, change.At);
                    from = change.To;
                    changes++;
                }
            }
        }
        progress($"{size.Deals:N0} deals, {changes:N0} stage changes ({step.Elapsed.TotalSeconds:F1} s)");

        step.Restart();
        using (var cmd = Insert(connection, tx, "Activities", "Type", "Notes", "Outcome", "OccurredAt", "ContactId", "DealId", "LoggedById",
                   "Channel", "MessageLink", "CreatedAt"))
        {
            var linked = 0;
            for (var i = 1; i <= size.Activities; i++)
            {
                var contact = 1 + random.Next(size.Contacts);
                var at = now.AddMinutes(-random.Next(1, 730 * 24 * 60));
                int? deal = null;
                // Every fifth activity is on a deal, round the deals: the first round dates each deal's last touch (so a
                // deal is stale only if planned so), later rounds fall anywhere in the deal's life before it.
                if (i % 5 == 0)
                {
                    var d = 1 + linked % size.Deals;
                    var plan = plans[d];
                    deal = d;
                    contact = plan.Contact;
                    at = linked++ < size.Deals ? plan.LastTouch : plan.Created + (plan.LastTouch - plan.Created) * random.NextDouble();
                }
                Run(cmd, Pick(random, ActivityTypes), Pick(random, Notes), random.Next(4) == 0 ? "positive" : null, at, contact,
                    deal, contactOwner[contact], random.Next(2) == 0 ? ChannelIds.Teams : ChannelIds.Slack, null, at);
                if (i % 250_000 == 0) progress($"  {i:N0} activities ({step.Elapsed.TotalSeconds:F1} s)");
            }
        }
        progress($"{size.Activities:N0} activities ({step.Elapsed.TotalSeconds:F1} s)");

        step.Restart();
        using (var cmd = Insert(connection, tx, "FollowUps", "Title", "DueAt", "Status", "ContactId", "DealId", "AssigneeId", "ActivityId",
                   "CreatedAt", "CompletedAt"))
        {
            for (var i = 0; i < size.FollowUps; i++)
            {
                var member = 1 + i % size.Members;
                var nth = i / size.Members;   // this member's n-th follow-up
                var contacts = ownedContacts[member];
                var contact = contacts.Count > 0 ? contacts[random.Next(contacts.Count)] : 1 + random.Next(size.Contacts);
                // Two due today, one in six open across the next months and the last month, the rest done.
                string status;
                int dayOffset;
                if (nth < 2) { status = "Open"; dayOffset = 0; }
                else if (nth % 6 == 0) { status = random.Next(8) == 0 ? "Snoozed" : "Open"; dayOffset = random.Next(-30, 90); }
                else { status = "Done"; dayOffset = -random.Next(1, 365); }
                var due = EndOfDayUtc(today.AddDays(dayOffset), zones[member]);
                var created = due.AddDays(-random.Next(1, 30));
                Run(cmd, nth < 2 ? "Send the quote" : "Follow up on the proposal", due, status, contact,
                    random.Next(10) == 0 ? 1 + random.Next(size.Deals) : null, member, null, created,
                    status == "Done" ? due.AddHours(-3) : null);
                if ((i + 1) % 250_000 == 0) progress($"  {i + 1:N0} follow-ups ({step.Elapsed.TotalSeconds:F1} s)");
            }
        }
        progress($"{size.FollowUps:N0} follow-ups ({step.Elapsed.TotalSeconds:F1} s)");

        step.Restart();
        await tx.CommitAsync(ct);
        // Fresh statistics, as a store that has lived a while would have after `PRAGMA optimize`.
        await Exec(connection, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        progress($"committed, analyzed, checkpointed ({step.Elapsed.TotalSeconds:F1} s)");
        return total.Elapsed;
    }

    private readonly record struct StageChange(string To, string? Reason, DateTime At);

    /// <summary>
    /// One deal's life, drawn before its rows are written so its activities can be dated within it. Created over the
    /// last two years; the older a deal, the likelier it closed (about 40 % did, two in five of them won). Its history
    /// starts in the first stage and moves forward over days or weeks, now and then skipping a stage; a few lost deals
    /// were reopened. An open deal is stale (no activity and no stage change in the last 14 days) about one time in four.
    /// </summary>
    private sealed class DealPlan
    {
        public int Contact { get; private init; }
        public int Owner { get; private init; }
        public DateTime Created { get; private init; }
        /// <summary>The last activity on the deal; no stage change is later.</summary>
        public DateTime LastTouch { get; private set; }
        public List<StageChange> Changes { get; } = [];

        public static DealPlan Draw(Random random, int contact, int owner, DateTime now)
        {
            var created = now.AddMinutes(-random.Next(60, 730 * 24 * 60));
            var plan = new DealPlan { Contact = contact, Owner = owner, Created = created };
            var age = (now - created).TotalDays;
            var closes = random.NextDouble() < 0.8 * age / 730;
            var reopens = closes && random.Next(25) == 0;
            // When the history ends: a closed deal's close; an open one's last touch, recent unless the deal is stale.
            DateTime end;
            if (closes) end = created + (now - created) * (0.2 + 0.8 * random.NextDouble());
            else if (age > 15 && random.Next(4) == 0) end = created + (now.AddDays(-15) - created) * random.NextDouble();
            else end = now.AddMinutes(-random.Next(1, 13 * 24 * 60));
            if (end < created) end = created;

            // The stages walked, from the first; a closed deal reaches a random stage and closes from there.
            var target = closes && !reopens ? random.Next(OpenStages.Length) : WeightedStage(random);
            var path = new List<(string Stage, string? Reason)> { (OpenStages[0], null) };
            for (var s = 1; s <= (reopens ? random.Next(OpenStages.Length) : target); s++)
                if (random.Next(7) != 0 || s == target) path.Add((OpenStages[s], null));
            if (closes || reopens)
            {
                var won = !reopens && random.Next(5) < 2;
                path.Add(won ? (Won, Pick(random, WinReasons)) : (Lost, Pick(random, LossReasons)));
            }
            if (reopens)
            {
                path.Add((OpenStages[Math.Max(1, target)], null));
                if (random.Next(2) == 0) path.Add(random.Next(3) == 0 ? (Lost, Pick(random, LossReasons)) : (Won, Pick(random, WinReasons)));
            }

            // The first change at creation, the others at random moments up to the end, in order.
            var moments = new DateTime[path.Count];
            moments[0] = created;
            for (var m = 1; m < moments.Length; m++) moments[m] = created + (end - created) * random.NextDouble();
            Array.Sort(moments);
            if (closes) moments[^1] = end;
            for (var m = 0; m < path.Count; m++) plan.Changes.Add(new StageChange(path[m].Stage, path[m].Reason, moments[m]));
            plan.LastTouch = end;
            return plan;
        }

        /// <summary>Open deals: most expect a close in the coming months (some already past it), some have no date.</summary>
        public DateOnly? ExpectedClose(Random random, DateOnly today) =>
            Changes[^1].To is Won or Lost ? DateOnly.FromDateTime(Changes[^1].At).AddDays(random.Next(-20, 20))
            : random.Next(7) == 0 ? null : today.AddDays(random.Next(-30, 180));

        private static int WeightedStage(Random random)
        {
            var roll = random.Next(OpenStageWeights.Sum());
            for (var s = 0; s < OpenStageWeights.Length; s++)
                if ((roll -= OpenStageWeights[s]) < 0) return s;
            return 0;
        }
    }

    public static string MemberUserId(int memberId) => memberId % 2 == 1 ? $"29:bench-{memberId}" : $"UBENCH{memberId}";

    /// <summary>The end of <paramref name="date"/> in the zone, as FollowUpService stores due dates.</summary>
    private static DateTime EndOfDayUtc(DateOnly date, string zone) =>
        Crm.Services.LocalDay.EndUtc(date, Crm.Services.LocalDay.Zone(zone));

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static async Task Exec(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static SqliteCommand Insert(SqliteConnection connection, SqliteTransaction tx, string table, params string[] columns)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        for (var i = 0; i < columns.Length; i++) cmd.Parameters.Add(new SqliteParameter($"$p{i}", null));
        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        cmd.ExecuteNonQuery();
    }
}

using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;

namespace CrmBot.Tests.Crm.Services;

/// <summary>
/// The same names on both engines, searched with the slips people make. The names are made of a few syllables, so
/// many share trigrams and words, and the candidate cuts matter as they do in a large store. The engines' indexes
/// rank candidates differently (FTS5's bm25, pg_trgm's similarity), so the tail of an answer may differ where
/// many names fit equally little; the best answer may not be worse on PostgreSQL.
/// </summary>
public class SearchParityTests
{
    private static readonly string[] First =
        ["John", "Jane", "Johann", "Joan", "Jon", "María", "Jürgen", "Zoë", "Søren", "Anna", "Ana", "Li", "Noah", "Emma", "Henrik", "Jo"];

    private static readonly string[] Syllables =
        ["mül", "ler", "son", "berg", "stein", "ov", "ez", "ski", "da", "ri", "ko", "wa", "ne", "la", "mar", "tin", "gar", "cia", "do", "smi", "th"];

    [Fact]
    public async Task ManySimilarNames_TypedWithSlips_PostgresFindsAsGoodABestAnswerAsSqlite()
    {
        var random = new Random(29);
        var names = Enumerable.Range(0, 3000).Select(_ =>
        {
            var last = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Syllables[random.Next(Syllables.Length)]));
            return (First: First[random.Next(First.Length)], Last: char.ToUpperInvariant(last[0]) + last[1..]);
        }).ToList();
        using var sqlite = await FilledAsync(StoreProvider.Sqlite, names);
        using var postgres = await FilledAsync(StoreProvider.Postgres, names);

        var queries = names.Take(40).SelectMany((n, i) => Slips($"{n.First} {n.Last}".ToLowerInvariant(), i))
            .Concat(["mueller", "stein", "jo", "an", "smith", "ana da", "henrik bergson", "noha", "garcia"]).ToList();
        var worse = new List<string>();
        var same = 0;
        foreach (var query in queries)
        {
            var (onSqlite, onPostgres) = (await FindAsync(sqlite, query), await FindAsync(postgres, query));
            if (Best(onPostgres) < Best(onSqlite)) worse.Add($"{query}: {Show(onSqlite)}{Environment.NewLine}  PostgreSQL: {Show(onPostgres)}");
            if (Show(onSqlite) == Show(onPostgres)) same++;
        }
        Assert.True(worse.Count == 0, $"{worse.Count} queries answered worse on PostgreSQL:{Environment.NewLine}{string.Join(Environment.NewLine, worse)}");
        // Most answers are the same to the last name and score.
        Assert.True(same >= 0.9 * queries.Count, $"only {same} of {queries.Count} answers the same");
    }

    // A letter left out, two swapped, one changed, the words the other way round, the last name cut short or alone.
    private static IEnumerable<string> Slips(string name, int i)
    {
        var at = 1 + i % Math.Max(1, name.Length - 2);
        yield return name.Remove(at, 1);
        if (at + 1 < name.Length) yield return name[..at] + name[at + 1] + name[at] + name[(at + 2)..];
        yield return name[..at] + (char)('a' + i % 26) + name[(at + 1)..];
        var words = name.Split(' ');
        yield return string.Join(' ', words.Reverse());
        yield return name[..^Math.Min(2, words[^1].Length - 1)];
        yield return words[^1];
    }

    private static async Task<CrmHost> FilledAsync(StoreProvider provider, List<(string First, string Last)> names)
    {
        var crm = new CrmHost(provider: provider);
        await using var turn = crm.Turn();
        var db = turn.Get<CrmDbContext>();
        db.Contacts.AddRange(names.Select(n => new Contact { FirstName = n.First, LastName = n.Last }));
        await db.SaveChangesAsync();
        return crm;
    }

    private static async Task<List<(int Id, string Name, double Score)>> FindAsync(CrmHost crm, string query)
    {
        await using var turn = crm.Turn();
        return (await turn.Get<CrmSearch>().FindContactsAsync(query, 5, default)).Select(m => (m.Item.Id, m.Item.FullName, m.Score)).ToList();
    }

    private static double Best(List<(int Id, string Name, double Score)> found) => found.Count == 0 ? 0 : found[0].Score;

    private static string Show(List<(int Id, string Name, double Score)> found) => string.Join(", ", found.Select(m => $"{m.Id} {m.Name} {m.Score}"));
}

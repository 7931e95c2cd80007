using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

/// <summary>A candidate name: its row id and folded name.</summary>
internal sealed record NameRow(int Id, string Name);

/// <summary>
/// The engine's part of name search: which names could be meant, from its own indexes. <see cref="CrmSearch"/>
/// decides which of these to ask in what order and ranks the answers, the same on every engine. One stateless
/// instance per engine (<see cref="For"/>). Words are folded (letters, digits, single spaces).
/// </summary>
internal abstract class SearchCandidates
{
    // Enough candidates that the right one survives a typo among many similar names, few enough to score in memory.
    public const int Ranked = 200;
    // Without a ranking to keep the best, a larger cut, still cheap to score in memory.
    public const int Unranked = 2000;

    private static readonly SearchCandidates Sqlite = new SqliteSearchCandidates();
    private static readonly SearchCandidates Postgres = new PostgresSearchCandidates();

    public static SearchCandidates For(CrmDbContext db) => db.Database.IsSqlite() ? Sqlite : Postgres;

    /// <summary>Names holding every one of <paramref name="words"/> (each of three letters or more); best first when ranked.</summary>
    public abstract Task<List<NameRow>> ContainingAllAsync(CrmDbContext db, SearchIndex.Spec spec, IEnumerable<string> words,
        bool ranked, CancellationToken ct);

    /// <summary>
    /// Names holding every word of <paramref name="key"/> as typed but one, and in its place a word within one typo
    /// of it (a letter left out, added, changed, or two swapped), in id order.
    /// </summary>
    public abstract Task<List<NameRow>> OneWordOffAsync(CrmDbContext db, SearchIndex.Spec spec, string key, CancellationToken ct);

    /// <summary>Names with every one of <paramref name="words"/> a little like a word of theirs (a typo in one or more), best first.</summary>
    public abstract Task<List<NameRow>> EveryWordNearAsync(CrmDbContext db, SearchIndex.Spec spec, string key, IReadOnlyList<string> words,
        CancellationToken ct);

    /// <summary>Names that share anything with the query at all, best first: the last resort.</summary>
    public abstract Task<List<NameRow>> AnyNearAsync(CrmDbContext db, SearchIndex.Spec spec, string key, IReadOnlyList<string> words,
        CancellationToken ct);

    /// <summary>The word itself and each form of it with one letter left out: the vocabulary's keys, counted in characters as SQLite does.</summary>
    internal static IEnumerable<string> DeletionKeys(string word)
    {
        yield return word;
        var letters = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (letters.Length < 2) yield break;
        for (var i = 0; i < letters.Length; i++) yield return string.Concat(letters[..i]) + string.Concat(letters[(i + 1)..]);
    }
}

#pragma warning disable EF1002 // identifiers come from SearchIndex's constants; values are parameters
/// <summary>SQLite: FTS5 trigram MATCH queries and the contacts' word vocabulary (<see cref="SearchIndex"/>).</summary>
internal sealed class SqliteSearchCandidates : SearchCandidates
{
    public override Task<List<NameRow>> ContainingAllAsync(CrmDbContext db, SearchIndex.Spec spec, IEnumerable<string> words, bool ranked,
        CancellationToken ct) =>
        MatchAsync(db, spec, string.Join(" AND ", words.Select(Quote)), ranked, ct);

    // Every word sharing a trigram with the name; trigrams inside words: those spanning a space ("n d") match
    // half the table and say little.
    public override Task<List<NameRow>> EveryWordNearAsync(CrmDbContext db, SearchIndex.Spec spec, string key, IReadOnlyList<string> words,
        CancellationToken ct) =>
        MatchAsync(db, spec, string.Join(" AND ", words.Select(w => $"({string.Join(" OR ", Trigrams(w))})")), ranked: true, ct);

    public override Task<List<NameRow>> AnyNearAsync(CrmDbContext db, SearchIndex.Spec spec, string key, IReadOnlyList<string> words,
        CancellationToken ct) =>
        MatchAsync(db, spec, string.Join(" OR ", words.SelectMany(Trigrams).Distinct()), ranked: true, ct);

    private static IEnumerable<string> Trigrams(string word) => Enumerable.Range(0, word.Length - 2).Select(i => Quote(word.Substring(i, 3))).Distinct();

    /// <summary>
    /// Each typed word's keys (<see cref="SearchIndex.Vocabulary"/>) find its near words in one query; a word
    /// taken as mistyped is tried only if every other word is a word of some name, which in the usual case
    /// leaves one to try. The names are then an intersection of the words' id lists.
    /// </summary>
    public override async Task<List<NameRow>> OneWordOffAsync(CrmDbContext db, SearchIndex.Spec spec, string key, CancellationToken ct)
    {
        var words = key.Split(' ').Distinct().ToList();
        if (words.Count < 2 || spec.Words is not { } vocabulary) return [];
        var keysOf = words.ToDictionary(w => w, w => DeletionKeys(w).ToHashSet());
        var keyed = await db.Database.SqlQueryRaw<WordKey>(
            $"SELECT Key, Word FROM {vocabulary.Keys} WHERE Key IN (SELECT value FROM json_each({{0}}))",
            JsonSerializer.Serialize(keysOf.Values.SelectMany(k => k).Distinct())).ToListAsync(ct);
        // A word's own key marks it as a word of some name.
        var known = keyed.Where(k => k.Key == k.Word).Select(k => k.Word).ToHashSet();

        var found = new List<NameRow>();
        foreach (var mistyped in words)
        {
            var others = words.Where(w => w != mistyped).ToList();
            if (!others.All(known.Contains)) continue;
            var near = keyed.Where(k => keysOf[mistyped].Contains(k.Key)).Select(k => k.Word).Distinct().ToList();
            if (near.Count == 0) continue;
            // Ids in order on both sides, so SQLite merges the lists instead of probing one per id of the other.
            var intersect = string.Concat(others.Select((_, i) => $" INTERSECT SELECT Id FROM {vocabulary.Words} WHERE Word = {{{i + 1}}}"));
            found.AddRange(await db.Database.SqlQueryRaw<NameRow>(
                $"SELECT Id, {spec.Column} AS Name FROM {spec.Source} WHERE Id IN (SELECT Id FROM {vocabulary.Words} WHERE Word IN (SELECT value FROM json_each({{0}})){intersect} ORDER BY 1) LIMIT {Unranked}",
                [JsonSerializer.Serialize(near), .. others]).ToListAsync(ct));
        }
        return found;
    }

    private static Task<List<NameRow>> MatchAsync(CrmDbContext db, SearchIndex.Spec spec, string match, bool ranked, CancellationToken ct) =>
        db.Database.SqlQueryRaw<NameRow>(ranked
                ? $"SELECT rowid AS Id, {spec.Column} AS Name FROM {spec.Index} WHERE {spec.Index} MATCH {{0}} ORDER BY rank LIMIT {Ranked}"
                : $"SELECT rowid AS Id, {spec.Column} AS Name FROM {spec.Index} WHERE {spec.Index} MATCH {{0}} LIMIT {Unranked}",
            match).ToListAsync(ct);

    // Folded text holds only letters, digits and single spaces, so quoting is all the escaping needed.
    private static string Quote(string text) => $"\"{text}\"";

    private sealed record WordKey(string Key, string Word);
}

/// <summary>
/// PostgreSQL: pg_trgm over the GIN trigram index of each folded-name column. "Contains" is LIKE '%word%' (the
/// index answers it for three letters or more); "a little like" is pg_trgm's similarity operators, best first by
/// similarity. In place of SQLite's vocabulary tables, a GIN index over each name's words' deletion keys.
/// </summary>
internal sealed class PostgresSearchCandidates : SearchCandidates
{
    public override Task<List<NameRow>> ContainingAllAsync(CrmDbContext db, SearchIndex.Spec spec, IEnumerable<string> words, bool ranked,
        CancellationToken ct)
    {
        var list = words.ToList();
        var patterns = list.Select(Contains).ToList<object>();
        var where = Column(spec) + " LIKE " + string.Join(" AND " + Column(spec) + " LIKE ", patterns.Select((_, i) => $"{{{i}}}"));
        return QueryAsync(db, spec, where, ranked ? $"similarity({Column(spec)}, {{{patterns.Count}}}) DESC" : null,
            ranked ? Ranked : Unranked, ranked ? [.. patterns, string.Join(' ', list)] : patterns, ct);
    }

    /// <summary>
    /// For each word taken as mistyped: rows with a word sharing a one-letter deletion key with it and every other
    /// word as typed, both asked of the GIN index over <see cref="SearchIndex.WordKeysFunction"/> (a word is its own
    /// key), which is what SQLite's vocabulary looks up; the words themselves are then checked on those few rows.
    /// </summary>
    public override async Task<List<NameRow>> OneWordOffAsync(CrmDbContext db, SearchIndex.Spec spec, string key, CancellationToken ct)
    {
        var words = key.Split(' ').Distinct().ToList();
        if (words.Count < 2 || spec.Words is null) return [];
        var keys = $"{SearchIndex.WordKeysFunction}({Column(spec)})";
        var found = new List<NameRow>();
        foreach (var mistyped in words)
        {
            var others = words.Where(w => w != mistyped).ToArray();
            found.AddRange(await QueryAsync(db, spec,
                $"{keys} && {{0}} AND {keys} @> {{1}} AND string_to_array({Column(spec)}, ' ') @> {{1}}", "\"Id\"", Unranked,
                [DeletionKeys(mistyped).ToArray(), others], ct));
        }
        return found;
    }

    // Every word at least as like a stretch of the name as pg_trgm's word-similarity threshold asks, or the whole
    // query like the whole name as its similarity threshold asks, and every word sharing a trigram with it.
    public override Task<List<NameRow>> EveryWordNearAsync(CrmDbContext db, SearchIndex.Spec spec, string key, IReadOnlyList<string> words,
        CancellationToken ct)
    {
        var all = string.Join(" AND ", words.Select((_, i) => $"{{{i + 1}}} <% {Column(spec)}"));
        var loose = string.Join(" AND ", words.Select((_, i) => $"word_similarity({{{i + 1}}}, {Column(spec)}) > 0"));
        return QueryAsync(db, spec, $"({all}) OR ({Column(spec)} % {{0}} AND {loose})", $"similarity({Column(spec)}, {{0}}) DESC",
            Ranked, [key, .. words], ct);
    }

    public override Task<List<NameRow>> AnyNearAsync(CrmDbContext db, SearchIndex.Spec spec, string key, IReadOnlyList<string> words,
        CancellationToken ct) =>
        QueryAsync(db, spec, $"{Column(spec)} % {{0}} OR {{0}} <% {Column(spec)} OR {Column(spec)} LIKE {{1}}",
            $"similarity({Column(spec)}, {{0}}) + word_similarity({{0}}, {Column(spec)}) DESC", Ranked, [key, Contains(key)], ct);

    private static Task<List<NameRow>> QueryAsync(CrmDbContext db, SearchIndex.Spec spec, string where, string? orderBy, int limit,
        List<object> values, CancellationToken ct) =>
        db.Database.SqlQueryRaw<NameRow>(
            $"SELECT \"Id\", {Column(spec)} AS \"Name\" FROM \"{spec.Source}\" WHERE {where}{(orderBy is null ? "" : " ORDER BY " + orderBy)} LIMIT {limit}",
            [.. values]).ToListAsync(ct);

    // PostgreSQL folds unquoted names to lower case; ours are mixed case.
    private static string Column(SearchIndex.Spec spec) => $"\"{spec.Column}\"";

    // LIKE's own characters are escaped, though folded text should hold none of them.
    private static string Contains(string word) =>
        "%" + word.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
#pragma warning restore EF1002

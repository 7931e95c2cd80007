using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm;

/// <summary>
/// The full-text indexes behind name search: SQLite FTS5 tables with the trigram tokenizer over
/// the folded names of contacts, companies and deals, kept in step by triggers. EF migrations
/// know nothing of virtual tables and eng/regen-migration.sh rebuilds the migration from the
/// model, so this SQL lives here and <see cref="StoreMigrator"/> applies it after every
/// migration, idempotently. A table rebuilt by a future migration loses its triggers; the next
/// start puts them back.
/// Contacts also have a word vocabulary (<see cref="Vocabulary"/>), for typos the trigrams miss.
/// On PostgreSQL the trigram indexes are pg_trgm GIN indexes in the EF model (CrmDbContext); what stands in for
/// the vocabulary is an expression index here (<see cref="EnsurePostgresAsync"/>).
/// </summary>
internal static class SearchIndex
{
    /// <summary>An FTS5 index over one folded-name column of one table, and optionally a word vocabulary of it.</summary>
    public sealed record Spec(string Index, string Source, string Column, Vocabulary? Words = null);

    /// <summary>
    /// The distinct words of the folded names, for finding a word within one typo without scoring
    /// every name: <c>Words</c> holds (word, row id) for every word of every name; <c>Keys</c> holds,
    /// once per distinct word, the word itself and each form of it with one letter left out ("smith" →
    /// "mith", "sith", …). Two words within one deletion, insertion, substitution or swap of each other
    /// share a key ("smtih" and "smith" both give "smih"), so a typed word's keys find its near words
    /// with a few B-tree lookups.
    /// </summary>
    public sealed record Vocabulary(string Words, string Keys);

    public static readonly Spec Contacts = new("ContactSearch", "Contacts", "SearchName", new("ContactWords", "ContactWordKeys"));
    public static readonly Spec Companies = new("CompanySearch", "Companies", "NormalizedName");
    public static readonly Spec Deals = new("DealSearch", "Deals", "SearchName");

    private static readonly Spec[] Indexes = [Contacts, Companies, Deals];

    /// <summary>The tables a spec needs: its FTS index and, with a vocabulary, the vocabulary's two.</summary>
    private static string[] Tables(Spec spec) => spec.Words is { } v ? [spec.Index, v.Words, v.Keys] : [spec.Index];

    /// <summary>
    /// The index tables and the triggers that keep them current, for the migrator's "nothing to do" check.
    /// Derived from <see cref="Tables"/>, so a table added to a spec cannot be left out of the check. The FTS
    /// index and the vocabulary's words each have insert, delete and update triggers on the source table
    /// (the keys are written by the words' triggers).
    /// </summary>
    public static IEnumerable<string> Objects => Indexes.SelectMany(spec =>
        Tables(spec).Concat(
            (spec.Words is { } v ? [spec.Index, v.Words] : new[] { spec.Index })
            .SelectMany(table => new[] { "insert", "delete", "update" }.Select(op => $"{spec.Source}_{table}_{op}"))));

    /// <summary>Index tables that should exist and do not (a store migrated without StoreMigrator).</summary>
    public static async Task<List<string>> MissingAsync(CrmDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            var indexes = await db.Database.SqlQueryRaw<string>("SELECT indexname AS \"Value\" FROM pg_indexes WHERE schemaname = current_schema()").ToListAsync(ct);
            return Indexes.Where(spec => spec.Words is not null).Select(WordKeysIndex).Except(indexes).ToList();
        }
        var present = await db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table'").ToListAsync(ct);
        return Indexes.SelectMany(Tables).Except(present).ToList();
    }

    public static async Task EnsureAsync(CrmDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            await EnsurePostgresAsync(db, ct);
            return;
        }
        foreach (var (index, source, column, _) in Indexes)
        {
            var existed = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = {0}", index).SingleAsync(ct) > 0;
            // External content: the index stores only trigrams; rows are read from the source table.
#pragma warning disable EF1002 // identifiers come from the constant table above, never from input
            await db.Database.ExecuteSqlRawAsync($"""
                CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({column}, content='{source}', content_rowid='Id', tokenize='trigram');
                CREATE TRIGGER IF NOT EXISTS {source}_{index}_insert AFTER INSERT ON {source} BEGIN
                  INSERT INTO {index}(rowid, {column}) VALUES (new.Id, new.{column});
                END;
                CREATE TRIGGER IF NOT EXISTS {source}_{index}_delete AFTER DELETE ON {source} BEGIN
                  INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.Id, old.{column});
                END;
                CREATE TRIGGER IF NOT EXISTS {source}_{index}_update AFTER UPDATE OF {column} ON {source} BEGIN
                  INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.Id, old.{column});
                  INSERT INTO {index}(rowid, {column}) VALUES (new.Id, new.{column});
                END;
                """, ct);
            // Rows written before the index existed (an upgraded store) are indexed once.
            if (!existed) await db.Database.ExecuteSqlRawAsync($"INSERT INTO {index}({index}) VALUES ('rebuild');", ct);
#pragma warning restore EF1002
        }
        foreach (var spec in Indexes)
            if (spec.Words is not null) await EnsureVocabularyAsync(db, spec, ct);
    }

    /// <summary>PostgreSQL's function giving a folded name's words and their one-letter deletions, as <see cref="Vocabulary"/>'s keys are.</summary>
    public const string WordKeysFunction = "crm_word_keys";

    private static string WordKeysIndex(Spec spec) => $"IX_{spec.Source}_{spec.Column}_WordKeys";

#pragma warning disable EF1002 // identifiers come from the constant table above, never from input
    /// <summary>
    /// PostgreSQL: for a spec with a vocabulary, a GIN index over <see cref="WordKeysFunction"/> of the folded name,
    /// so that names with a word within one typo of a typed word are an index lookup of the typed word's keys
    /// (<c>&amp;&amp;</c>), kept current by PostgreSQL itself. Expression indexes are outside EF's model, so they are
    /// made here, once: the next start finds the index and does nothing. An advisory lock makes instances
    /// starting together wait for the first.
    /// </summary>
    private static async Task EnsurePostgresAsync(CrmDbContext db, CancellationToken ct)
    {
        var specs = Indexes.Where(spec => spec.Words is not null).ToList();
        if ((await MissingAsync(db, ct)).Count == 0) return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock(hashtext('{WordKeysFunction}'))", ct);
        // Positions 0..n in a word: 0 for the word itself, i for the word without its i-th letter; none for a
        // one-letter word, as an empty key would tie every short word together.
        await db.Database.ExecuteSqlRawAsync($$"""
            CREATE OR REPLACE FUNCTION {{WordKeysFunction}}(name text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
              SELECT coalesce(array_agg(DISTINCT CASE p.i WHEN 0 THEN w.word ELSE left(w.word, p.i - 1) || substr(w.word, p.i + 1) END), ARRAY[]::text[])
              FROM unnest(string_to_array(name, ' ')) AS w(word), generate_series(0, length(w.word)) AS p(i)
              WHERE w.word <> '' AND (p.i = 0 OR length(w.word) > 1)
            $f$;
            """, ct);
        foreach (var spec in specs)
            await db.Database.ExecuteSqlRawAsync(
                $"CREATE INDEX IF NOT EXISTS \"{WordKeysIndex(spec)}\" ON \"{spec.Source}\" USING gin ({WordKeysFunction}(\"{spec.Column}\"))", ct);
        await tx.CommitAsync(ct);
    }
#pragma warning restore EF1002

#pragma warning disable EF1002 // identifiers come from the constant table above, never from input
    private static async Task EnsureVocabularyAsync(CrmDbContext db, Spec spec, CancellationToken ct)
    {
        var (source, column, words, keys) = (spec.Source, spec.Column, spec.Words!.Words, spec.Words.Keys);
        // One transaction: a store is never left with the tables but only part of the words (the fill runs
        // only when the table is new), and another process starting at the same time waits, then finds them.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var existed = await db.Database.SqlQueryRaw<int>(
            "SELECT count(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = {0}", words).SingleAsync(ct) > 0;
        await db.Database.ExecuteSqlRawAsync($"""
            CREATE TABLE IF NOT EXISTS {words} (Word TEXT NOT NULL, Id INTEGER NOT NULL, PRIMARY KEY (Word, Id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS {keys} (Key TEXT NOT NULL, Word TEXT NOT NULL, PRIMARY KEY (Key, Word)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS IX_{keys}_Word ON {keys} (Word);
            CREATE TRIGGER IF NOT EXISTS {source}_{words}_insert AFTER INSERT ON {source} BEGIN
            {AddWords("new")}
            END;
            CREATE TRIGGER IF NOT EXISTS {source}_{words}_delete AFTER DELETE ON {source} BEGIN
            {RemoveWords("old")}
            END;
            CREATE TRIGGER IF NOT EXISTS {source}_{words}_update AFTER UPDATE OF {column} ON {source}
            WHEN old.{column} IS NOT new.{column} BEGIN
            {RemoveWords("old")}
            {AddWords("new")}
            END;
            """, ct);
        // Rows written before the vocabulary existed (an upgraded store) are added once.
        if (!existed)
            await db.Database.ExecuteSqlRawAsync($"""
                INSERT OR IGNORE INTO {words} (Word, Id)
                  SELECT w.value, c.Id FROM {source} AS c, {WordsOf($"c.{column}")} AS w WHERE w.value <> '';
                INSERT OR IGNORE INTO {keys} (Key, Word)
                  {KeysOf($"SELECT DISTINCT Word AS word FROM {words}")};
                """, ct);
        await tx.CommitAsync(ct);

        // A name's words and, for a word not seen before (its own key missing), its keys.
        string AddWords(string row) => $"""
            INSERT OR IGNORE INTO {words} (Word, Id)
              SELECT value, {row}.Id FROM {WordsOf($"{row}.{column}")} WHERE value <> '';
            INSERT OR IGNORE INTO {keys} (Key, Word)
              {KeysOf($"SELECT value AS word FROM {WordsOf($"{row}.{column}")} WHERE value <> '' AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE k.Key = value AND k.Word = value)")};
            """;

        // A name's words; the keys of a word no name holds any more go with it.
        string RemoveWords(string row) => $"""
            DELETE FROM {words} WHERE Id = {row}.Id AND Word IN (SELECT value FROM {WordsOf($"{row}.{column}")});
            DELETE FROM {keys} WHERE Word IN (SELECT value FROM {WordsOf($"{row}.{column}")})
              AND NOT EXISTS (SELECT 1 FROM {words} w WHERE w.Word = {keys}.Word);
            """;
    }
#pragma warning restore EF1002

    // The space-separated words of a name, as json_each rows (value). SQLite has no split function, and a
    // recursive CTE costs about twice the CPU per inserted row: it builds a temporary table each time.
    // Folded names hold letters, digits and spaces only; a name that still does not make valid JSON
    // (a quote or a control character written by some other tool) gives no words rather than failing the write.
    private static string WordsOf(string name)
    {
        var array = $"""'["' || replace(replace(replace({name}, '\', '\\'), '"', '\"'), ' ', '","') || '"]'""";
        return $"json_each(CASE WHEN json_valid({array}) THEN {array} END)";
    }

    // Positions 0..64 in a word: 0 for the word itself, i for the word without its i-th letter. Longer words
    // (none in practice; queries are cut at 64 characters) only get keys for their first 64 letters.
    private static readonly string Positions = $"'[{string.Join(',', Enumerable.Range(0, 65))}]'";

    // Each word of the select (a column named word) keyed by itself and by each one-letter deletion; none for a
    // one-letter word, as an empty key would tie every short word together. SQLite's substr and length count
    // characters, as CrmSearch's keys do.
    private static string KeysOf(string wordsSelect) => $"""
        SELECT CASE p.value WHEN 0 THEN w.word ELSE substr(w.word, 1, p.value - 1) || substr(w.word, p.value + 1) END, w.word
        FROM ({wordsSelect}) AS w JOIN json_each({Positions}) AS p
          ON p.value <= length(w.word) AND (p.value = 0 OR length(w.word) > 1)
        """;
}

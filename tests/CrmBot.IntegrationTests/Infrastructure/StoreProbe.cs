using Microsoft.Data.Sqlite;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>
/// Cheap looks at the store from outside the service, each one query: a fingerprint of the CRM tables (row count and
/// highest rowid of each, so an insert or delete shows), whether a delivery was stored, and whether work is pending.
/// </summary>
public sealed class StoreProbe(string connectionString)
{
    /// <summary>Every table a turn can change that belongs to the CRM or its members (not chat state such as dedupe rows).</summary>
    public static readonly string[] CrmTables =
    [
        "Members", "Companies", "Contacts", "Deals", "DealStageChanges", "Activities", "FollowUps", "AuditEntries",
        "Surveys", "SurveyResponses", "SurveyAnswers", "SurveyParticipations", "SealedResponses",
    ];

    private static readonly string FingerprintSql = "SELECT " + string.Join(" || ' ' || ", CrmTables.Select(t =>
        $"'{t}=' || (SELECT count(*) || '/' || ifnull(max(rowid), 0) FROM \"{t}\")"));

    public string CrmFingerprint() => Scalar(FingerprintSql, null);

    /// <summary>Deliveries stored whose id contains <paramref name="part"/> (a marker unique to one request).</summary>
    public long StoredDeliveries(string part) =>
        long.Parse(Scalar("SELECT count(*) FROM \"ProcessedInbound\" WHERE instr(\"DeliveryId\", $p) > 0", part), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Acknowledged work not yet done or given up (its payload is kept until then).</summary>
    public long PendingWork() =>
        long.Parse(Scalar("SELECT count(*) FROM \"ProcessedInbound\" WHERE \"PayloadJson\" IS NOT NULL", null), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until the background workers have done everything that was acknowledged.</summary>
    public async Task WaitForNoPendingWorkAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (PendingWork() > 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{PendingWork()} acknowledged deliveries still pending after {timeout}.");
            await Task.Delay(20);
        }
    }

    private string Scalar(string sql, string? parameter)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (parameter is not null) command.Parameters.AddWithValue("$p", parameter);
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}

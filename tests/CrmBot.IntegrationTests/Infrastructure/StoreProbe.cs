using CrmBot.Crm;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.IntegrationTests.Infrastructure;

/// <summary>
/// Cheap looks at the store from outside the service, each one query: a fingerprint of the CRM tables (row count and
/// highest Id of each, so an insert or delete shows), whether a delivery was stored, and whether work is pending. The
/// SQL is what both engines understand; it runs on a connection of the factory's own store.
/// </summary>
public sealed class StoreProbe(CrmBotFactory factory)
{
    /// <summary>Every table a turn can change that belongs to the CRM or its members (not chat state such as dedupe rows).</summary>
    public static readonly string[] CrmTables =
    [
        "Members", "Companies", "Contacts", "Deals", "DealStageChanges", "Activities", "FollowUps", "AuditEntries",
        "Surveys", "SurveyResponses", "SurveyAnswers", "SurveyParticipations", "SealedResponses",
    ];

    private static readonly string FingerprintSql = "SELECT " + string.Join(" || ' ' || ", CrmTables.Select(t =>
        $"'{t}=' || (SELECT count(*) || '/' || coalesce(max(\"Id\"), 0) FROM \"{t}\")"));

    public string CrmFingerprint() => Scalar(FingerprintSql, null);

    /// <summary>Deliveries stored whose id contains <paramref name="part"/> (a marker unique to one request).</summary>
    public long StoredDeliveries(string part) =>
        long.Parse(Scalar("SELECT count(*) FROM \"ProcessedInbound\" WHERE \"DeliveryId\" LIKE '%' || @p || '%'", part), System.Globalization.CultureInfo.InvariantCulture);

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
        using var db = factory.OpenStore();
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (parameter is not null)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@p";
            p.Value = parameter;
            command.Parameters.Add(p);
        }
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}

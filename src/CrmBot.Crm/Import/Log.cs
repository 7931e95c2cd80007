using Microsoft.Extensions.Logging;

namespace CrmBot.Crm.Import;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Contact import of {Rows} rows planned in {ElapsedMs} ms: {Created} to create, {Merged} merged, {Updated} existing to update, {Flagged} flagged")]
    public static partial void Planned(ILogger logger, int rows, long elapsedMs, int created, int merged, int updated, int flagged);

    [LoggerMessage(2, LogLevel.Information, "Contact import committed in {ElapsedMs} ms")]
    public static partial void Committed(ILogger logger, long elapsedMs);
}

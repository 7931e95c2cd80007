using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CrmBot.Crm;

/// <summary>
/// What a store error means, asked in one place so that callers name the case (a lost insert race, a store that is
/// not there) instead of an engine's error codes; a second engine answers here too.
/// </summary>
public static class StoreErrors
{
    // SQLite's extended result codes: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
    private const int ConstraintUnique = 2067;
    private const int ConstraintPrimaryKey = 1555;
    private const int CantOpen = 14;

    // PostgreSQL's SQLSTATEs: unique_violation, and invalid_catalog_name (the database does not exist).
    private const string PostgresUnique = PostgresErrorCodes.UniqueViolation;
    private const string PostgresNoDatabase = PostgresErrorCodes.InvalidCatalogName;

    /// <summary>A unique index or key refused the write: another writer stored the same row first.</summary>
    public static bool IsUniqueViolation(Exception exception) =>
        Inner(exception) is SqliteException { SqliteExtendedErrorCode: ConstraintUnique or ConstraintPrimaryKey }
            or PostgresException { SqlState: PostgresUnique };

    /// <summary>The store could not be opened: its file (or its PostgreSQL database) does not exist (a read-only open does not create it).</summary>
    public static bool IsMissingStore(Exception exception) =>
        Inner(exception) is SqliteException { SqliteErrorCode: CantOpen } or PostgresException { SqlState: PostgresNoDatabase };

    /// <summary>
    /// What an operator should be told when the store cannot be reached at all (wrong settings, no server, no database),
    /// or null for any other error. Said in words, because a stack trace of a refused connection helps nobody.
    /// </summary>
    public static string? Unreachable(Exception exception) => exception switch
    {
        StoreSettingsException settings => settings.Message,
        _ when Inner(exception) is PostgresException { SqlState: PostgresNoDatabase } missing =>
            $"The PostgreSQL database in ConnectionStrings:Crm does not exist ({missing.MessageText}). Create it first (README: Running on PostgreSQL).",
        _ when Inner(exception) is PostgresException { SqlState: "28P01" or "28000" } login =>
            $"PostgreSQL refused the login ({login.MessageText}). Check Username and Password in ConnectionStrings:Crm.",
        _ when Inner(exception) is NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException } unreachable =>
            $"Cannot reach the PostgreSQL server ({unreachable.Message}). Is it running, and are Host and Port in ConnectionStrings:Crm right?",
        _ => null,
    };

    private static DbException? Inner(Exception exception) => exception as DbException ?? exception.InnerException as DbException;
}

/// <summary>The store's settings cannot work (an unknown engine, a missing connection string); the message says which and why.</summary>
public sealed class StoreSettingsException(string message) : InvalidOperationException(message);

namespace CrmBot.Crm.Services;

/// <summary>Who makes a change, and from which channel ("msteams", "slack", "terminal", "import").</summary>
public sealed record Actor(int MemberId, string DisplayName, string Channel);

/// <summary>
/// A request the CRM cannot honour (unknown contact, deal or member; a date in the past). Thrown
/// before anything is written, so the caller can answer the user and the store is unchanged.
/// </summary>
public sealed class CrmException(string message) : Exception(message);

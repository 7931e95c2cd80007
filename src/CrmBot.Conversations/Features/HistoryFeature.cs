using System.Globalization;
using System.Text.Json.Nodes;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;

namespace CrmBot.Conversations.Features;

/// <summary>
/// "history Acme renewal 2027" and the History button of the deal and contact cards: the latest changes from the
/// audit trail (when, who, what, old → new), the record's own and those of its activities and follow-ups.
/// </summary>
public sealed class HistoryFeature(CrmDbContext db) : IChatFeature
{
    /// <summary>Data: dealId or contactId.</summary>
    public const string ShowVerb = "history.show";
    /// <summary>Changes a history card shows: enough to see who touched it lately, few enough for a short card.</summary>
    public const int Shown = 5;
    // A value longer than this (notes, an import's merge record) is cut: the card is a summary, the trail keeps it all.
    private const int MaxValue = 80;

    public IReadOnlyCollection<string> Verbs { get; } = [ShowVerb];

    public IEnumerable<HelpEntry> Help { get; } =
    [
        new("history Acme renewal 2027 · history Jane Doe", "The latest changes to a deal or contact: when, who, what"),
    ];

    // A deal or contact name is a few words; "history of billing problems since …" is a sentence (notes), so it only
    // loosely reads as the command and an open question keeps it.
    private const int MaxNameWords = 6;

    public FeatureClaim? Claim(Utterance u) =>
        u.StartsWith("history")
            ? new FeatureClaim("history", u.Words.Count - 1 <= MaxNameWords ? 1.0 : 0.6, new Dictionary<string, string> { ["rest"] = u.After(1) })
            : null;

    public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
    {
        var name = claim.Entity("rest");
        if (string.IsNullOrWhiteSpace(name))
        {
            context.ReplyText("Whose history? Name a deal or a contact, e.g. \"history Acme renewal 2027\" or \"history Jane Doe\".");
            return;
        }
        await context.BeginDialogAsync<HistoryDialog>(new HistoryState { Text = name }, ct);
    }

    public async Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        if (BuiltInFeature.IntOf(data, "dealId") is { } dealId) await ReplyAsync(context, db, nameof(Deal), dealId, ct);
        else if (BuiltInFeature.IntOf(data, "contactId") is { } contactId) await ReplyAsync(context, db, nameof(Contact), contactId, ct);
        else context.ReplyText("That button is missing which deal or contact it is for.");
    }

    /// <summary>The history card of a deal (<paramref name="entityType"/> "Deal") or a contact ("Contact").</summary>
    public static async Task ReplyAsync(TurnContext context, CrmDbContext db, string entityType, int id, CancellationToken ct)
    {
        var isDeal = entityType == nameof(Deal);
        var kind = isDeal ? "deal" : "contact";
        var name = isDeal
            ? await db.Deals.Where(d => d.Id == id).Select(d => d.Name).FirstOrDefaultAsync(ct)
            : await db.Contacts.Where(c => c.Id == id).Select(c => c.LastName == "" ? c.FirstName : c.FirstName + " " + c.LastName).FirstOrDefaultAsync(ct);
        if (name is null)
        {
            context.ReplyText($"That {kind} no longer exists.");
            return;
        }
        var entries = (await AuditLog.RecentAsync(db, entityType, id, Shown, ct)).Select(e => new
        {
            when = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(e.At, DateTimeKind.Utc), context.TimeZone)
                .ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture),
            who = e.Actor,
            what = What(e, entityType),
        }).ToList();
        var fallback = entries.Count == 0
            ? $"History of {name}: no changes recorded yet."
            : $"History of {name} (latest first):\n" + string.Join("\n", entries.Select(e => $"{e.when} · {e.who}: {e.what}"));
        context.ReplyCard(CardNames.History, new
        {
            name,
            scope = $"The latest changes to this {kind}, its activities and follow-ups, newest first.",
            dealId = isDeal ? id : (int?)null,
            contactId = isDeal ? (int?)null : id,
            entries,
        }, fallback);
    }

    /// <summary>"stage: Lead → Qualified", "follow-up completed: Open → Done": the record's own changes without a subject.</summary>
    internal static string What(AuditEntry e, string ownType)
    {
        var subject = e.EntityType == ownType ? "" : e.EntityType switch
        {
            nameof(Activity) => "activity ",
            nameof(FollowUp) => "follow-up ",
            _ => e.EntityType.ToLowerInvariant() + " ",
        };
        var change = (Short(e.OldValue), Short(e.NewValue)) switch
        {
            (null, null) => "",
            (null, { } now) => ": " + now,
            ({ } was, null) => ": " + was,
            ({ } was, { } now) => $": {was} → {now}",
        };
        return subject + e.Action + change;
    }

    private static string? Short(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var oneLine = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= MaxValue ? oneLine : oneLine[..(MaxValue - 1)].TrimEnd() + "…";
    }
}

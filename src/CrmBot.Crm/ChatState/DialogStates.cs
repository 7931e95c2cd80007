namespace CrmBot.Crm.ChatState;

/// <summary>The reads of stored flows, so the engine names no table or column.</summary>
public static class DialogStates
{
    /// <summary>
    /// The flow stored for this conversation + member, or null. Asked on every turn, so a prepared read
    /// (<see cref="RowReads"/>), untracked until the caller tracks it to change it.
    /// </summary>
    public static Task<DialogState?> FindAsync(CrmDbContext db, string conversationId, int memberId, CancellationToken ct) =>
        RowReads.FindByKeyAsync<DialogState>(db, [conversationId, memberId], ct);
}

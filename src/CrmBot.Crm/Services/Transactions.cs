using Microsoft.EntityFrameworkCore;

namespace CrmBot.Crm.Services;

internal static class Transactions
{
    /// <summary>
    /// Runs work that needs two SaveChanges (a new row's id goes into its audit entry) as one
    /// commit. Inside a caller's transaction it simply joins it.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this CrmDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await work();
        await tx.CommitAsync(ct);
        return result;
    }
}

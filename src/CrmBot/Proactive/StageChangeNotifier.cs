using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Services;
using Microsoft.Extensions.Options;

namespace CrmBot.Proactive;

/// <summary>
/// Announces deal stage changes, in the same transaction as the move (DealService runs hooks
/// before its SaveChanges): no announcement of a move that was refused or rolled back, no move
/// without its announcement.
/// <list type="number">
/// <item>The team: the card goes to Crm:NotificationChannel, when set, at once.</item>
/// <item>The deal's owner, when someone else moved their deal (nobody is told what they just did
/// themselves): the owner's own choice counts. "instant" (default) → a direct message at once;
/// "digest" → held and folded into the owner's next morning digest. With the digest off, "digest"
/// acts as "instant", so nothing waits for a digest that never comes.</item>
/// </list>
/// </summary>
internal sealed class StageChangeNotifier(ProactiveCards cards, IOptions<CrmOptions> crm, TimeProvider clock) : IStageChangeHook
{

    public async Task OnStageChangedAsync(CrmDbContext db, Deal deal, DealStageChange change, Actor actor, CancellationToken ct)
    {
        var payload = cards.StageChanged(deal, change, actor);
        if (NotificationTarget.TryParse(crm.Value.NotificationChannel, out var team))
            ProactiveOutbox.Add(db, team!, OutboxKinds.StageChange, payload, clock);

        if (deal.OwnerId is not { } ownerId || ownerId == actor.MemberId) return;
        var owner = await db.Members.FindAsync([ownerId], ct);
        if (owner is null || !ChannelIds.ChatPlatforms.Contains(owner.Channel)) return;
        var hold = owner.StageNotifications == NotificationPreference.Digest && owner.DigestEnabled;
        ProactiveOutbox.Add(db, ProactiveAddress.DirectTo(owner), OutboxKinds.StageChange, payload, clock,
            status: hold ? OutboxStatus.Held : OutboxStatus.Pending);
    }
}

using System.Globalization;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

public sealed class DealCreateState
{
    public string Name { get; set; } = "";
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "USD";
    public string? ContactText { get; set; }
    public int? ContactId { get; set; }
    public DateOnly? ExpectedClose { get; set; }
}

/// <summary>
/// Adds a deal: finds the contact it is for (picker when ambiguous; its company becomes the deal's), then a
/// duplicate check (a close name at the same company asks "Did you mean …?") before anything is written.
/// Steps: 0 find contact · 1 picked · 2 check · 3 answered · 4 create.
/// </summary>
public sealed class DealCreateDialog(DealService deals, CrmSearch search) : WaterfallDialog<DealCreateState>
{
    public const string DialogName = "deal-create";
    private const int Check = 2, Create = 4;

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<DealCreateState>> Steps => [FindContactAsync, PickedAsync, CheckAsync, AnsweredAsync, CreateAsync];

    private async Task<StepResult> FindContactAsync(StepContext<DealCreateState> step, CancellationToken ct)
    {
        var s = step.State;
        if (s.ContactText is not { } query) return step.GoTo(Check);
        var pick = Picking.Decide(await search.FindContactsAsync(query, 5, ct));
        switch (pick.Kind)
        {
            case PickKind.Clear:
                s.ContactId = pick.Item!.Id;
                return step.GoTo(Check);
            case PickKind.None:
                step.Context.ReplyText($"I couldn't find a contact called \"{query}\". Nothing was added: " +
                    $"add them first (\"add contact {query}, …\"), or leave out \"for {query}\".");
                return step.End();
            default:
                var options = pick.Candidates.Select(m => (m.Item.Id.ToString(CultureInfo.InvariantCulture), m.Item.FullName, m.Item.Company?.Name)).ToList();
                var question = pick.Kind == PickKind.Ambiguous ? $"Which \"{query}\" is the deal for?" : $"I couldn't find \"{query}\". Did you mean…";
                return step.Ask(Picking.Prompt(question, options, offerNone: true));
        }
    }

    private static Task<StepResult> PickedAsync(StepContext<DealCreateState> step, CancellationToken ct)
    {
        if (int.TryParse(step.Answer?.Choice, CultureInfo.InvariantCulture, out var id))
        {
            step.State.ContactId = id;
            return Task.FromResult(step.Next());
        }
        step.Context.ReplyText("Okay, nothing was added. Add the contact first (\"add contact …\"), or say the deal again without \"for …\".");
        return Task.FromResult(step.End());
    }

    private async Task<StepResult> CheckAsync(StepContext<DealCreateState> step, CancellationToken ct)
    {
        var s = step.State;
        var contact = s.ContactId is { } id ? await search.SummaryAsync(id, ct) : null;
        if (s.ContactId is not null && contact is null)
        {
            step.Context.ReplyText("That contact is gone. Nothing was added.");
            return step.End();
        }
        var existing = await deals.FindDuplicatesAsync(s.Name, contact?.Contact.CompanyId, s.ContactId, ct);
        if (existing.Count == 0) return step.GoTo(Create);
        var options = existing.Select(d => (d.Id.ToString(CultureInfo.InvariantCulture), d.Name,
            (string?)string.Join(" · ", new[] { d.Company?.Name, d.Stage, CardData.Money(d.Amount, d.Currency) }.Where(p => p is not null)))).ToList();
        var where = contact?.Company?.Name is { } company ? $" at {company}" : "";
        return step.Ask(Asking.DuplicateCheck(
            $"Did you mean {(existing.Count == 1 ? existing[0].Name : "one of these")}? A deal with a close name is already here{where}.", options));
    }

    private async Task<StepResult> AnsweredAsync(StepContext<DealCreateState> step, CancellationToken ct)
    {
        var choice = step.Answer?.Choice;
        if (choice == Asking.CreateAnyway) return step.Next();
        if (int.TryParse(choice, CultureInfo.InvariantCulture, out var id) && await deals.WithHistoryAsync(id, ct) is { } deal)
        {
            step.Context.ReplyText("Okay, I kept the existing deal and added nothing.");
            DealFeature.ReplyDeal(step.Context, deal, deals.Pipeline);
        }
        return step.End();
    }

    private async Task<StepResult> CreateAsync(StepContext<DealCreateState> step, CancellationToken ct)
    {
        var s = step.State;
        var context = step.Context;
        int dealId;
        try
        {
            dealId = (await deals.CreateAsync(new NewDeal(s.Name, s.Amount, ContactId: s.ContactId, Currency: s.Currency, ExpectedClose: s.ExpectedClose),
                context.Actor, ct)).Id;
        }
        catch (CrmException e)
        {
            context.ReplyText(e.Message + " Nothing was added.");
            return step.End();
        }
        var deal = (await deals.WithHistoryAsync(dealId, ct))!;
        var notice = $"Added deal {deal.Name}: {CardData.Money(deal.Amount, deal.Currency)}, {deal.Stage}" +
            (deal.Company is null ? "" : $", {deal.Company.Name}") +
            (deal.Contact is null ? "" : $", for {deal.Contact.FullName}") +
            (deal.ExpectedClose is { } close ? $", closes {close.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)}" : "") + ".";
        context.ReplyText(notice);
        DealFeature.ReplyDeal(context, deal, deals.Pipeline);
        return step.End();
    }
}

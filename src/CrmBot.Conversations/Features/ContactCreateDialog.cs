using System.Globalization;
using CrmBot.Conversations.Dialogs;
using CrmBot.Crm.Services;

namespace CrmBot.Conversations.Features;

public sealed class ContactCreateState
{
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? PhoneExtension { get; set; }
    public string? Title { get; set; }
    public string? Company { get; set; }
}

/// <summary>
/// Adds a contact after a duplicate check: the same email or phone, or a close name at the same company, asks
/// "Did you mean …?" (Use existing / Create anyway) before anything is written. Steps: 0 check · 1 answered · 2 create.
/// </summary>
public sealed class ContactCreateDialog(ContactService contacts, CrmSearch search) : WaterfallDialog<ContactCreateState>
{
    public const string DialogName = "contact-create";
    private const int Create = 2;

    public override string Name => DialogName;

    protected override IReadOnlyList<WaterfallStep<ContactCreateState>> Steps => [CheckAsync, AnsweredAsync, CreateAsync];

    private async Task<StepResult> CheckAsync(StepContext<ContactCreateState> step, CancellationToken ct)
    {
        var request = Request(step.State);
        var existing = await contacts.FindDuplicatesAsync(request, ct);
        if (existing.Count == 0) return step.GoTo(Create);
        var why = existing.Any(c => c.Email is not null && c.Email == request.Email) ? " A contact with that email is already here."
            : existing.Any(c => c.Phone is not null && c.Phone == request.Phone) ? " A contact with that phone number is already here."
            : "";
        var options = existing.Select(c => (c.Id.ToString(CultureInfo.InvariantCulture), c.FullName,
            Detail(c.Company?.Name, c.Email, c.Phone))).ToList();
        return step.Ask(Asking.DuplicateCheck($"Did you mean {(existing.Count == 1 ? existing[0].FullName : "one of these")}?{why}", options));
    }

    private async Task<StepResult> AnsweredAsync(StepContext<ContactCreateState> step, CancellationToken ct)
    {
        var choice = step.Answer?.Choice;
        if (choice == Asking.CreateAnyway) return step.Next();
        if (int.TryParse(choice, CultureInfo.InvariantCulture, out var id))
        {
            step.Context.ReplyText("Okay, I kept the existing contact and added nothing.");
            await ContactFeature.ReplySummaryAsync(step.Context, search, id, ct);
        }
        return step.End();
    }

    private async Task<StepResult> CreateAsync(StepContext<ContactCreateState> step, CancellationToken ct)
    {
        var context = step.Context;
        ContactCreated created;
        try
        {
            created = await contacts.CreateAsync(Request(step.State), context.Actor, ct);
        }
        catch (CrmException e)
        {
            context.ReplyText(e.Message + " Nothing was added.");
            return step.End();
        }
        var c = created.Contact;
        var details = Detail(c.Title, c.Email, c.Phone);
        context.ReplyText($"Added contact {c.FullName}" + (c.Company is null ? "" : $" ({c.Company.Name})") +
            (details is null ? "." : $": {details}.") +
            (created.CompanyCreated ? $" {c.Company!.Name} was new, so I added the company too." : ""));
        await ContactFeature.ReplySummaryAsync(context, search, c.Id, ct);
        return step.End();
    }

    private static NewContact Request(ContactCreateState s) =>
        new(s.FirstName, s.LastName, s.Email, s.Phone, s.PhoneExtension, s.Company, s.Title);

    private static string? Detail(params string?[] parts) =>
        parts.Any(p => p is not null) ? string.Join(" · ", parts.Where(p => p is not null)) : null;
}

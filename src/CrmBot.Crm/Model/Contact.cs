namespace CrmBot.Crm.Model;

public class Contact
{
    public int Id { get; set; }
    public required string FirstName { get; set; }
    public string LastName { get; set; } = "";
    /// <summary>Lower-case, trimmed; null when unknown or invalid.</summary>
    public string? Email { get; set; }
    /// <summary>E.164 (+14155550100); null when unknown or unparseable.</summary>
    public string? Phone { get; set; }
    /// <summary>Digits of an extension ("ext. 12" → "12"); E.164 has no room for it.</summary>
    public string? PhoneExtension { get; set; }
    public string? Title { get; set; }
    /// <summary>ISO 3166 two-letter region code ("DE") when known.</summary>
    public string? Country { get; set; }
    public int? CompanyId { get; set; }
    public Company? Company { get; set; }
    public int? OwnerId { get; set; }
    public Member? Owner { get; set; }
    /// <summary>Name folded for search: lower case, accents removed, single spaces.</summary>
    public string SearchName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public string FullName => string.IsNullOrEmpty(LastName) ? FirstName : $"{FirstName} {LastName}";
}

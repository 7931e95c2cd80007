namespace CrmBot.Crm.Model;

public class Company
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Folded name without legal suffix ("acme" for "ACME, Inc."): one Company per key.</summary>
    public required string NormalizedName { get; set; }
    public string? Domain { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<Contact> Contacts { get; set; } = [];
    public List<Deal> Deals { get; set; } = [];
}

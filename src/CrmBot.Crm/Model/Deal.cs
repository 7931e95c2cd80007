namespace CrmBot.Crm.Model;

public class Deal
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public decimal Amount { get; set; }
    /// <summary>ISO 4217 code.</summary>
    public string Currency { get; set; } = "USD";
    /// <summary>One of the configured pipeline stage names.</summary>
    public required string Stage { get; set; }
    public int? CompanyId { get; set; }
    public Company? Company { get; set; }
    public int? ContactId { get; set; }
    public Contact? Contact { get; set; }
    public int? OwnerId { get; set; }
    public Member? Owner { get; set; }
    public DateOnly? ExpectedClose { get; set; }
    /// <summary>Why it was won or lost; set when the deal closes.</summary>
    public string? CloseReason { get; set; }
    public string SearchName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<DealStageChange> StageHistory { get; set; } = [];
}

public class DealStageChange
{
    public int Id { get; set; }
    public int DealId { get; set; }
    public Deal? Deal { get; set; }
    public string? FromStage { get; set; }
    public required string ToStage { get; set; }
    public string? Reason { get; set; }
    public int? ChangedById { get; set; }
    public Member? ChangedBy { get; set; }
    public DateTime ChangedAt { get; set; }
}

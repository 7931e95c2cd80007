using CrmBot.Crm.ChatState;
using CrmBot.Crm.Model;
using CrmBot.Crm.Outbox;
using CrmBot.Crm.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CrmBot.Crm;

/// <summary>The CRM store. Services use it directly: it is the unit of work and the repository.</summary>
public class CrmDbContext(DbContextOptions<CrmDbContext> options) : DbContext(options)
{
    /// <summary>Used by DI, which hands in the service's clock (a fake one in tests).</summary>
    public CrmDbContext(DbContextOptions<CrmDbContext> options, TimeProvider clock) : this(options) => Clock = clock;

    /// <summary>"Now" for what the store stamps itself (audit entries).</summary>
    public TimeProvider Clock { get; } = TimeProvider.System;

    /// <summary>Set when the context belongs to the service's <see cref="StoreSessions"/>: disposing gives it back.</summary>
    internal StoreSessions? Sessions { get; set; }

    /// <summary>Writes waiting for this turn's next commit; null when the context does not defer (<see cref="DeferredWrites"/>).</summary>
    internal DeferredWrites? Deferred { get; set; }

    /// <summary>The commit under way, timed from its start to its end (<see cref="Diagnostics.CommitTiming"/>).</summary>
    internal Diagnostics.CrmBotTelemetry.StageTiming CommitTiming { get; set; }

    /// <summary>Rows <see cref="RowReads"/> read, untracked, during this unit of work, by type and key.</summary>
    internal Dictionary<(Type, int), object> ReadRows { get; } = [];

    public override void Dispose()
    {
        if (Sessions?.TryReturn(this) == true) return;
        base.Dispose();
    }

    public override ValueTask DisposeAsync() =>
        Sessions?.TryReturn(this) == true ? ValueTask.CompletedTask : base.DisposeAsync();

    public DbSet<Member> Members => Set<Member>();
    public DbSet<Company> Companies => Set<Company>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Deal> Deals => Set<Deal>();
    public DbSet<DealStageChange> DealStageChanges => Set<DealStageChange>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<FollowUp> FollowUps => Set<FollowUp>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ConversationAddress> ConversationAddresses => Set<ConversationAddress>();
    public DbSet<DialogState> DialogStates => Set<DialogState>();
    public DbSet<ProcessedInbound> ProcessedInbound => Set<ProcessedInbound>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<Survey> Surveys => Set<Survey>();
    public DbSet<SurveyResponse> SurveyResponses => Set<SurveyResponse>();
    public DbSet<SurveyAnswer> SurveyAnswers => Set<SurveyAnswer>();
    public DbSet<SurveyParticipation> SurveyParticipations => Set<SurveyParticipation>();
    public DbSet<SealedResponse> SealedResponses => Set<SealedResponse>();
    public DbSet<ParkedPayload> ParkedPayloads => Set<ParkedPayload>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefreshSearchNames();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefreshSearchNames();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Search keys follow the names on every write path (chat, import, seeding), so no caller
    /// can forget them. Bulk ExecuteUpdate bypasses this and must set SearchName itself.
    /// </summary>
    private void RefreshSearchNames()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            switch (entry.Entity)
            {
                case Contact c:
                    var contactKey = TextFold.Fold(c.FullName);
                    if (c.SearchName != contactKey) c.SearchName = contactKey;
                    break;
                case Deal d:
                    var dealKey = TextFold.Fold(d.Name);
                    if (d.SearchName != dealKey) d.SearchName = dealKey;
                    break;
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is UTC. SQLite hands DateTime back as Unspecified; say so once here.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<decimal>().HavePrecision(18, 2);
        // Text compares and sorts by code point on both engines, as SQLite does: the search keys' prefix ranges
        // (CrmSearch) and every ORDER BY on a name give the same answer whatever locale the database was made with.
        if (Database.IsNpgsql()) configurationBuilder.Properties<string>().UseCollation("C");
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Member>(e =>
        {
            e.HasIndex(m => new { m.Channel, m.TenantId, m.UserId }).IsUnique();
            e.HasIndex(m => m.Email);
            e.HasOne(m => m.Manager).WithMany().HasForeignKey(m => m.ManagerId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Company>(e =>
        {
            e.HasIndex(c => c.NormalizedName).IsUnique();
        });
        b.Entity<Contact>(e =>
        {
            e.HasIndex(c => c.Email);
            e.HasIndex(c => c.Phone);
            e.HasIndex(c => c.SearchName);
            e.HasOne(c => c.Company).WithMany(c => c.Contacts).HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(c => c.Owner).WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.SetNull);
            e.Ignore(c => c.FullName);
        });
        b.Entity<Deal>(e =>
        {
            e.HasIndex(d => d.SearchName);
            e.HasIndex(d => new { d.OwnerId, d.Stage });
            // The pipeline report of everyone sums open deals by stage and currency from this index alone
            // (docs/decisions/report-indexes.md).
            e.HasIndex(d => new { d.Stage, d.Currency, d.Amount });
            e.HasOne(d => d.Company).WithMany(c => c.Deals).HasForeignKey(d => d.CompanyId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(d => d.Contact).WithMany().HasForeignKey(d => d.ContactId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(d => d.Owner).WithMany().HasForeignKey(d => d.OwnerId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<DealStageChange>(e =>
        {
            e.HasOne(s => s.Deal).WithMany(d => d.StageHistory).HasForeignKey(s => s.DealId).OnDelete(DeleteBehavior.Cascade);
            // Win rate finds a period's closings by stage and time, and whether each deal closed again later in it;
            // the second also serves the deal's history by DealId (docs/decisions/report-indexes.md).
            e.HasIndex(s => new { s.ToStage, s.ChangedAt, s.DealId });
            e.HasIndex(s => new { s.DealId, s.ToStage, s.ChangedAt });
            e.HasOne(s => s.ChangedBy).WithMany().HasForeignKey(s => s.ChangedById).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Activity>(e =>
        {
            e.Property(a => a.Type).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(a => new { a.ContactId, a.OccurredAt });
            e.HasIndex(a => new { a.LoggedById, a.CreatedAt });
            e.HasOne(a => a.Contact).WithMany().HasForeignKey(a => a.ContactId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.Deal).WithMany().HasForeignKey(a => a.DealId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(a => a.LoggedBy).WithMany().HasForeignKey(a => a.LoggedById).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<FollowUp>(e =>
        {
            e.Property(f => f.Status).HasConversion<string>().HasMaxLength(16);
            // The digest and "what's due today?" ask exactly this: a member's open items by due time.
            e.HasIndex(f => new { f.AssigneeId, f.Status, f.DueAt });
            e.HasOne(f => f.Contact).WithMany().HasForeignKey(f => f.ContactId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(f => f.Deal).WithMany().HasForeignKey(f => f.DealId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(f => f.Assignee).WithMany().HasForeignKey(f => f.AssigneeId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(f => f.Activity).WithMany().HasForeignKey(f => f.ActivityId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => new { a.EntityType, a.EntityId });
            e.HasIndex(a => a.At);
        });
        b.Entity<ConversationAddress>(e =>
        {
            e.HasIndex(r => new { r.Channel, r.ConversationId }).IsUnique();
            e.HasIndex(r => r.MemberId);
            e.HasOne(r => r.Member).WithMany().HasForeignKey(r => r.MemberId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<DialogState>(e =>
        {
            e.HasKey(d => new { d.ConversationId, d.MemberId });
            e.Property(d => d.Version).IsConcurrencyToken();
        });
        b.Entity<ProcessedInbound>(e =>
        {
            e.HasKey(p => new { p.Channel, p.DeliveryId });
            e.HasIndex(p => p.ReceivedAt);
            e.HasIndex(p => new { p.Channel, p.LeaseUntil });
        });
        b.Entity<OutboxMessage>(e =>
        {
            e.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(o => new { o.Status, o.NotBefore });
            e.HasIndex(o => o.DedupeKey).IsUnique();
            // Held stage-change notes are looked up per member when their digest is planned.
            e.HasIndex(o => new { o.MemberId, o.Status });
        });
        b.Entity<ParkedPayload>(e =>
        {
            e.Property(p => p.Id).HasMaxLength(32);
            e.HasIndex(p => p.ExpiresAt);
        });
        CrmBot.Crm.Surveys.SurveyModel.Configure(b);
        if (Database.IsNpgsql()) ConfigurePostgresSearch(b);
    }

    /// <summary>
    /// PostgreSQL's name search: trigram GIN indexes (pg_trgm) over the folded names, which answer "contains" and
    /// similarity queries the way SQLite's FTS5 trigram tables do (<see cref="SearchIndex"/>). Part of the model, so
    /// PostgreSQL's own migration creates them; the B-tree indexes above still serve exact names and prefixes.
    /// </summary>
    private static void ConfigurePostgresSearch(ModelBuilder b)
    {
        b.HasPostgresExtension("pg_trgm");
        b.Entity<Contact>().HasIndex([nameof(Contact.SearchName)], "IX_Contacts_SearchName_Trigram").HasMethod("gin").HasOperators("gin_trgm_ops");
        b.Entity<Company>().HasIndex([nameof(Company.NormalizedName)], "IX_Companies_NormalizedName_Trigram").HasMethod("gin").HasOperators("gin_trgm_ops");
        b.Entity<Deal>().HasIndex([nameof(Deal.SearchName)], "IX_Deals_SearchName_Trigram").HasMethod("gin").HasOperators("gin_trgm_ops");
    }

    // Internal, not private: the compiled model (CompiledModel/, generated code) instantiates it.
    internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

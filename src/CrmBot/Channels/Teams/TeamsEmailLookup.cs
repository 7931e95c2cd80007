using System.Collections.Concurrent;
using System.Threading.Channels;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Teams;

/// <summary>
/// Teams activities carry no e-mail, so an e-mail in Crm:Admins could never match a Teams member. After a Teams turn
/// (never one carrying a survey answer) its sender's e-mail is fetched once, in the background, through the
/// Connector's conversation members API, and kept on the member (<see cref="MemberService.RecordEmailLookupAsync"/>,
/// which applies Crm:Admins to it). A failed look-up is remembered on the member and asked again only after
/// Bot:MemberLookupRetry. The turn itself pays one dictionary read.
/// </summary>
public sealed class TeamsEmailLookup(IServiceScopeFactory scopes, TimeProvider clock, IOptions<BotOptions> options,
    ILogger<TeamsEmailLookup> log) : BackgroundService
{
    private sealed record Request(string ServiceUrl, string ConversationId, string TenantId, string UserId);

    // Dropped when full: the member's next turn asks again, since its key is freed below.
    private readonly Channel<Request> _queue = Channel.CreateBounded<Request>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Per Teams identity, the earliest time a turn may queue a look-up again (MaxValue: the e-mail is known).
    private readonly ConcurrentDictionary<(string TenantId, string UserId), DateTime> _next = new();

    /// <summary>After a Teams turn whose writes are committed: queues a look-up of its sender unless one is not due.</summary>
    public void After(BotActivity activity)
    {
        if (activity.ChannelId is { Length: > 0 } channel && channel != ChannelIds.Teams) return;
        if (activity.From?.Id is not { Length: > 0 } userId || activity.ServiceUrl is null || activity.Conversation?.Id is null) return;
        var key = (activity.TenantId ?? "", userId);
        var now = clock.GetUtcNow().UtcDateTime;
        if (_next.TryGetValue(key, out var next) && next > now) return;
        // Claimed before queueing, so a burst of turns from one person queues one look-up.
        _next[key] = now + options.Value.MemberLookupRetry;
        if (!_queue.Writer.TryWrite(new Request(activity.ServiceUrl, activity.Conversation.Id, key.Item1, userId)))
            _next.TryRemove(key, out _);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await LookUpAsync(request, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A store error: the claim runs out and a later turn asks again.
                    Log.EmailLookupFailed(log, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task LookUpAsync(Request request, CancellationToken ct)
    {
        var key = (request.TenantId, request.UserId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrmDbContext>();
        var member = await db.Members.AsNoTracking()
            .Where(m => m.Channel == ChannelIds.Teams && m.TenantId == request.TenantId && m.UserId == request.UserId)
            .Select(m => new { m.Id, m.Email, m.EmailLookupAt }).FirstOrDefaultAsync(ct);
        if (member is null)
        {
            _next.TryRemove(key, out _);
            return;
        }
        if (member.Email is not null)
        {
            _next[key] = DateTime.MaxValue;
            return;
        }
        var retry = options.Value.MemberLookupRetry;
        var now = clock.GetUtcNow().UtcDateTime;
        // Asked recently, perhaps by an earlier process: not again before it is due.
        if (member.EmailLookupAt is { } last && now - last < retry)
        {
            _next[key] = last + retry;
            return;
        }
        // Our token goes only to Bot Framework's hosts; an untrusted serviceUrl is not asked and not counted as asked.
        if (ServiceUrls.Refusal(request.ServiceUrl, options.Value.TrustedServiceUrlHosts) is not null) return;
        // The store decides who asks: another instance that saw the same member's turn may be about to. Only the one
        // whose conditional UPDATE marks the member as asked calls the Connector.
        var due = now - retry;
        var claimed = await db.Members.Where(m => m.Id == member.Id && m.Email == null && (m.EmailLookupAt == null || m.EmailLookupAt <= due))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.EmailLookupAt, now), ct) == 1;
        if (!claimed)
        {
            _next[key] = now + retry;
            return;
        }

        TeamsChannelAccount? account = null;
        try
        {
            account = await scope.ServiceProvider.GetRequiredService<ConnectorClient>()
                .GetConversationMemberAsync(request.ServiceUrl, request.ConversationId, request.UserId, ct);
        }
        catch (Exception e) when (e is ConnectorException or HttpRequestException
                                  || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            Log.EmailLookupRefused(log, member.Id, e is ConnectorException { StatusCode: { } status } ? (int)status : 0);
        }
        var email = Address(account?.Email) ?? Address(account?.UserPrincipalName);
        await scope.ServiceProvider.GetRequiredService<MemberService>().RecordEmailLookupAsync(member.Id, email, account?.AadObjectId, ct);
        _next[key] = email is null ? now + retry : DateTime.MaxValue;
    }

    private static string? Address(string? value) => value is { Length: > 2 } && value.Contains('@') ? value : null;
}

internal static partial class Log
{
    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "Teams member {MemberId}: e-mail look-up failed (status {Status}); asked again after Bot:MemberLookupRetry")]
    public static partial void EmailLookupRefused(ILogger logger, int memberId, int status);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Warning, Message = "Teams e-mail look-up failed: {Error}")]
    public static partial void EmailLookupFailed(ILogger logger, string error);
}

using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Slack;

/// <summary>
/// users.info per member (time zone, email, name), cached: Slack rate-limits the method and a
/// member's zone rarely changes. A failed lookup is not cached and never fails the turn.
/// </summary>
internal sealed class SlackUserDirectory(SlackApiClient api, IMemoryCache cache, IOptions<SlackOptions> options,
    ILogger<SlackUserDirectory> logger)
{
    public async Task<SlackUserInfo?> FindAsync(string teamId, string userId, CancellationToken ct)
    {
        var key = $"slack-user:{teamId}:{userId}";
        if (cache.TryGetValue(key, out SlackUserInfo? known)) return known;
        try
        {
            var info = await api.UserInfoAsync(userId, ct);
            cache.Set(key, info, options.Value.UserCacheDuration);
            return info;
        }
        catch (Exception ex) when (ex is SlackApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Log.UserLookupFailed(logger, userId, ex.Message);
            return null;
        }
    }
}

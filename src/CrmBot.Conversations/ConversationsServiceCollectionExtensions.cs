using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrmBot.Conversations;

public static class ConversationsServiceCollectionExtensions
{
    /// <summary>The engine (IBot), dialogs, recognizer and card templates.</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}

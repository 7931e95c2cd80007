using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Dialogs;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Features;
using CrmBot.Conversations.Pipeline;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CrmBot.Conversations;

public static class ConversationsServiceCollectionExtensions
{
    /// <summary>The engine (IBot, scoped: one per turn), the built-in CRM features and dialogs, card templates.</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CardTemplates>();
        services.TryAddSingleton(sp => new Recognizer(sp.GetRequiredService<IOptions<CrmOptions>>().Value.Pipeline));
        services.AddScoped<ConversationEngine>();
        services.AddScoped<IBot>(sp => sp.GetRequiredService<ConversationEngine>());
        services.AddTurnPipeline(configuration);

        // Built-in commands, in the order they win ties.
        services.AddChatFeature<HelpFeature>();
        services.AddChatFeature<LogActivityFeature>();
        services.AddChatFeature<FollowUpsFeature>();
        services.AddChatFeature<ContactFeature>();
        // Before DealFeature: "pipeline" is also its older word for "my deals", and ties go to the first registered.
        services.AddChatFeature<ReportsFeature>();
        services.AddChatFeature<DealFeature>();
        services.AddChatFeature<ContactCreateFeature>();
        services.AddChatFeature<DealCreateFeature>();
        services.AddChatFeature<HistoryFeature>();
        services.AddDialog<ContactFlowDialog>();
        services.AddDialog<DealStageDialog>();
        services.AddDialog<ContactCreateDialog>();
        services.AddDialog<DealCreateDialog>();
        services.AddDialog<HistoryDialog>();
        return services;
    }

    /// <summary>
    /// The one way every channel runs a turn (<see cref="TurnPipeline"/>), and its recovery of acknowledged work.
    /// A hosted service: where a host runs (the service), it redoes what an earlier process left unfinished.
    /// </summary>
    public static IServiceCollection AddTurnPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PipelineOptions>>(new MovedPipelineSettings(configuration));
        services.TryAddSingleton<TurnPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<TurnPipeline>());
        services.TryAddScoped<PipelineBot>();
        return services;
    }

    /// <summary>
    /// Adds chat commands: the engine offers every typed message and every card verb to each
    /// registered feature (see src/CrmBot.Conversations/README.md).
    /// </summary>
    public static IServiceCollection AddChatFeature<TFeature>(this IServiceCollection services) where TFeature : class, IChatFeature
    {
        services.TryAddScoped<TFeature>();
        services.AddScoped<IChatFeature>(sp => sp.GetRequiredService<TFeature>());
        return services;
    }

    /// <summary>Adds a multi-turn flow that features start with <c>context.BeginDialogAsync&lt;TDialog&gt;(…)</c>.</summary>
    public static IServiceCollection AddDialog<TDialog>(this IServiceCollection services) where TDialog : Dialog
    {
        services.TryAddScoped<TDialog>();
        services.AddScoped<Dialog>(sp => sp.GetRequiredService<TDialog>());
        return services;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Conversations;
using CrmBot.Conversations.Pipeline;
using CrmBot.Conversations.Surveys;
using CrmBot.Crm;
using CrmBot.Crm.ChatState;
using Microsoft.Extensions.Options;

namespace CrmBot.Channels.Teams;

/// <summary>
/// POST /api/messages, as the SDK's CloudAdapter.ProcessAsync: authenticate, read the activity, run the
/// turn through the engine (IBot) and deliver its replies — in the HTTP response (invoke, expectReplies)
/// or through the Connector. Protocol only: what a turn means is the engine's business.
/// </summary>
public sealed class TeamsAdapter(
    BotFrameworkAuthentication authentication,
    TurnPipeline pipeline,
    TeamsEmailLookup emails,
    IOptions<BotOptions> options,
    ILogger<TeamsAdapter> log) : IRedoableChannel
{
    public async Task<IResult> ProcessAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await ReadBodyAsync(request, options.Value.MaxRequestBytes, ct);
        if (body is null)
        {
            Log.TooLarge(log, options.Value.MaxRequestBytes);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var auth = await authentication.AuthenticateAsync(request.Headers.Authorization, ct);
        if (!auth.Succeeded)
        {
            Log.Unauthorized(log, auth.Failure);
            return Results.Unauthorized();
        }

        var activity = TeamsActivities.Read(body, out var malformed);
        if (malformed is not null) return Refuse(malformed);
        if (activity?.Type is null) return Refuse("An activity needs a type.");

        var mismatch = BotFrameworkAuthentication.CheckActivity(auth, activity);
        if (mismatch is not null)
        {
            Log.Unauthorized(log, mismatch);
            return Results.Unauthorized();
        }
        // A token endorsed for another channel is valid for that channel only: its activities are not Teams', and
        // a member is keyed by the channel the activity came from (TeamsActivities.User).
        if (!options.Value.Serves(activity.ChannelId))
        {
            Log.ChannelNotServed(log, activity.ChannelId);
            return Results.Json(new { error = $"Channel '{activity.ChannelId}' is not served here (Bot:Channels)." },
                statusCode: StatusCodes.Status403Forbidden);
        }

        return activity.Type switch
        {
            ActivityTypes.Message => await OnMessageAsync(activity, ct),
            ActivityTypes.Invoke => await OnInvokeAsync(activity, ct),
            ActivityTypes.ConversationUpdate => await OnConversationUpdateAsync(activity, ct),
            // typing, messageReaction, installationUpdate, …: nothing to do, and no reason to be retried.
            _ => Results.Ok(),
        };
    }

    private async Task<IResult> OnMessageAsync(BotActivity activity, CancellationToken ct)
    {
        if (Missing(activity) is { } missing) return Refuse(missing);
        var turn = TeamsActivities.FromMessage(activity);
        if (string.IsNullOrWhiteSpace(turn.Text) && turn.Value is null) return Results.Ok();   // e.g. a bare attachment
        var expectReplies = IsExpectReplies(activity);
        return await RunAsync(activity, turn, expectReplies ? DeliverInBody : DeliverThroughConnector, !expectReplies, ct);
    }

    private async Task<IResult> OnInvokeAsync(BotActivity activity, CancellationToken ct)
    {
        // The SDK answers invokes it has no handler for with 501; Teams then shows its own error.
        if (activity.Name != TeamsActivities.AdaptiveCardActionInvoke) return Results.StatusCode(StatusCodes.Status501NotImplemented);
        if (Missing(activity) is { } missing) return Refuse(missing);
        var turn = TeamsActivities.FromCardAction(activity);
        if (turn is null)
            return Results.Json(new AdaptiveCardInvokeResponse
            {
                StatusCode = 400,
                Type = AdaptiveCardInvokeResponse.ErrorType,
                Value = new JsonObject { ["code"] = "BadRequest", ["message"] = "Action.Execute without a verb." },
            }, BotJson.Options);
        return await RunAsync(activity, turn, DeliverInvokeResponse, mayContinueInBackground: false, ct);
    }

    private async Task<IResult> OnConversationUpdateAsync(BotActivity activity, CancellationToken ct)
    {
        if (!TeamsActivities.IsBotAdded(activity)) return Results.Ok();
        if (Missing(activity) is { } missing) return Refuse(missing);
        var expectReplies = IsExpectReplies(activity);
        return await RunAsync(activity, Welcome(activity), expectReplies ? DeliverInBody : DeliverThroughConnector, !expectReplies, ct,
            record: RecordInstallation(activity));
    }

    /// <summary>The welcome is the engine's help: the same first screen in every channel.</summary>
    private static Turn Welcome(BotActivity activity) => new(activity.Id!, TeamsActivities.User(activity), activity.Conversation!.Id!,
        TeamsActivities.Kind(activity.Conversation), Text: WelcomeText);

    private static Func<IServiceProvider, CancellationToken, Task> RecordInstallation(BotActivity activity) =>
        (services, token) => services.GetRequiredService<TeamsInstallations>().RecordAsync(activity, token);

    /// <summary>What the bot is sent when installed; its answer is the welcome.</summary>
    public const string WelcomeText = "help";

    private delegate Task<IResult> Deliver(IServiceProvider services, BotActivity inbound, Turn turn, IReadOnlyList<Reply> replies, CancellationToken ct);

    /// <summary>
    /// Hands the turn to the pipeline (slot, scope, dedupe, unit of work, engine) and translates its outcome. A
    /// turn left to finish in the background is stored first with the activity, so a crash does not lose it.
    /// </summary>
    private async Task<IResult> RunAsync(BotActivity activity, Turn turn, Deliver deliver, bool mayContinueInBackground, CancellationToken ct,
        Func<IServiceProvider, CancellationToken, Task>? record = null)
    {
        TurnStatus status;
        IResult? result;
        try
        {
            (status, result) = await pipeline.RunAsync(Inbound(activity, turn, mayContinueInBackground),
                (services, token) => TurnAsync(services, turn, record, token),
                (services, outcome, token) =>
                {
                    if (outcome.Value is not { } replies) return Task.FromResult(Duplicate(activity));
                    // After the commit and off the turn: the sender's e-mail, once (never beside a survey answer).
                    if (!SurveyFeature.CarriesAnswer(turn)) emails.After(activity);
                    return deliver(services, activity, turn, replies, token);
                },
                options.Value.AcknowledgeAfter, mayContinueInBackground, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Logged by the pipeline. 500 tells Teams to redeliver, and the delivery id was forgotten.
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        return status switch
        {
            TurnStatus.Completed => result!,
            TurnStatus.ContinuingInBackground => Results.Ok(),
            // No slot within the window: nothing started, Teams will redeliver.
            _ => Results.StatusCode(StatusCodes.Status503ServiceUnavailable),
        };
    }

    /// <summary>The turn as the pipeline knows it: its delivery id, whether it is an anonymous survey answer, how to redo it.</summary>
    private static InboundTurn Inbound(BotActivity activity, Turn turn, bool mayBeStored) => new(
        ChannelIds.Teams, $"{activity.Conversation!.Id}|{activity.Id}", SurveyFeature.CarriesAnswer(turn),
        mayBeStored ? () => new StoredWork(activity.Type!, JsonSerializer.Serialize(activity, BotJson.Options)) : null);

    private static async Task<IReadOnlyList<Reply>> TurnAsync(IServiceProvider services, Turn turn,
        Func<IServiceProvider, CancellationToken, Task>? record, CancellationToken ct)
    {
        if (record is not null) await record(services, ct);
        return await services.GetRequiredService<PipelineBot>().OnTurnAsync(turn, ct);
    }

    string IRedoableChannel.Channel => ChannelIds.Teams;

    // Redone turns wait for the pipeline's slots, not in a queue of ours: a sweep may take many.
    int IRedoableChannel.ClaimBatch => 1000;

    /// <summary>
    /// A turn acknowledged before it was done, by a process that died: redone in the background, its replies posted
    /// through the Connector (the request that brought it is long answered).
    /// </summary>
    RedoStart IRedoableChannel.TryRedo(PendingDelivery work)
    {
        BotActivity? activity;
        try { activity = JsonSerializer.Deserialize<BotActivity>(work.PayloadJson, BotJson.Options); }
        catch (JsonException) { return RedoStart.Unreadable; }
        if (activity is null || Missing(activity) is not null) return RedoStart.Unreadable;

        Turn? turn = null;
        Func<IServiceProvider, CancellationToken, Task>? record = null;
        if (activity.Type == ActivityTypes.Message) turn = TeamsActivities.FromMessage(activity);
        else if (activity.Type == ActivityTypes.ConversationUpdate)
        {
            turn = Welcome(activity);
            record = RecordInstallation(activity);
        }
        if (turn is null) return RedoStart.Unreadable;

        var inbound = Inbound(activity, turn, mayBeStored: false) with { Accepted = true };
        _ = pipeline.RunAsync(inbound,
            (services, token) => TurnAsync(services, turn, record, token),
            (services, outcome, token) => outcome.Value is { } replies ? DeliverThroughConnector(services, activity, turn, replies, token) : Task.FromResult(Results.Ok()),
            acknowledgeAfter: null, mayContinueInBackground: false, CancellationToken.None)
            .ContinueWith(static _ => { }, TaskScheduler.Default);   // a failure is logged by the pipeline
        return RedoStart.Started;
    }

    private static IResult Duplicate(BotActivity activity) =>
        activity.Type == ActivityTypes.Invoke
            ? Results.Json(new AdaptiveCardInvokeResponse { StatusCode = 200, Type = AdaptiveCardInvokeResponse.MessageType, Value = "Already done." }, BotJson.Options)
            : IsExpectReplies(activity) ? Results.Json(new ExpectedReplies(), BotJson.Options) : Results.Ok();

    private static Task<IResult> DeliverInBody(IServiceProvider services, BotActivity inbound, Turn turn, IReadOnlyList<Reply> replies, CancellationToken ct)
    {
        var reference = inbound.GetConversationReference();
        var body = new ExpectedReplies
        {
            Activities = replies.Select(r =>
            {
                var a = TeamsMessageFactory.Address(TeamsMessageFactory.FromReply(r), reference);
                a.ReplyToId = inbound.Id;
                return a;
            }).ToList(),
        };
        return Task.FromResult(Results.Json(body, BotJson.Options));
    }

    private async Task<IResult> DeliverThroughConnector(IServiceProvider services, BotActivity inbound, Turn turn, IReadOnlyList<Reply> replies, CancellationToken ct)
    {
        await PostAsync(services.GetRequiredService<TeamsSender>(), inbound, turn, replies, ct);
        return Results.Ok();
    }

    /// <summary>Action.Execute: the card that replaces the clicked one goes back in the invoke response.</summary>
    private async Task<IResult> DeliverInvokeResponse(IServiceProvider services, BotActivity inbound, Turn turn, IReadOnlyList<Reply> replies, CancellationToken ct)
    {
        var card = replies.OfType<CardReply>().OrderByDescending(c => c.ReplacesSource).FirstOrDefault();
        AdaptiveCardInvokeResponse response;
        List<Reply> rest;
        if (card is not null)
        {
            response = new() { StatusCode = 200, Type = Attachment.AdaptiveCardContentType, Value = card.Card.DeepClone() };
            rest = replies.Where(r => !ReferenceEquals(r, card)).ToList();
        }
        else
        {
            var first = replies.FirstOrDefault();
            var text = first is null ? "" : TeamsMessageFactory.FromReply(first).Text ?? "";
            response = new() { StatusCode = 200, Type = AdaptiveCardInvokeResponse.MessageType, Value = text };
            rest = replies.Skip(1).ToList();
        }
        if (rest.Count > 0)
            await PostAsync(services.GetRequiredService<TeamsSender>(), inbound, turn with { ReplyToId = null }, rest, ct);
        return Results.Json(response, BotJson.Options);
    }

    /// <summary>
    /// Posts the replies in order: a card that replaces its source updates that message in place (PUT);
    /// everything else is a reply to the inbound message (a new message after an install). The turn's writes are
    /// committed: a reply the Connector does not take is kept to be sent later, never a reason to redo the turn.
    /// </summary>
    private static Task PostAsync(TeamsSender sender, BotActivity inbound, Turn turn, IReadOnlyList<Reply> replies, CancellationToken ct)
    {
        var reference = inbound.GetConversationReference();
        var address = new TeamsAddress(inbound.ServiceUrl!, inbound.Conversation!.Id!,
            ReplyToId: inbound.Type == ActivityTypes.Message ? inbound.Id : null, UpdateId: turn.ReplyToId);
        var messages = new TeamsOutgoing[replies.Count];
        for (var i = 0; i < messages.Length; i++)
            messages[i] = new TeamsOutgoing(TeamsMessageFactory.Address(TeamsMessageFactory.FromReply(replies[i]), reference),
                replies[i] is CardReply { ReplacesSource: true });
        return sender.ReplyAsync(address, messages, mayKeep: !SurveyFeature.CarriesAnswer(turn), ct);
    }

    /// <summary>Why a turn cannot be run for this activity, or null. Blank ids name no member or conversation.</summary>
    private static string? Missing(BotActivity activity) =>
        string.IsNullOrWhiteSpace(activity.Id) || string.IsNullOrWhiteSpace(activity.Conversation?.Id)
        || string.IsNullOrWhiteSpace(activity.ServiceUrl) || string.IsNullOrWhiteSpace(activity.From?.Id)
        || string.IsNullOrWhiteSpace(activity.TenantId)
            ? "An activity needs id, conversation.id, from.id, serviceUrl and a tenant (conversation.tenantId or channelData.tenant.id)."
            : null;

    /// <summary>A request the edge cannot read: one warning line, no stack trace, nothing done.</summary>
    private IResult Refuse(string reason)
    {
        Log.Malformed(log, reason);
        return Results.BadRequest(new { error = reason });
    }

    private static bool IsExpectReplies(BotActivity activity) =>
        string.Equals(activity.DeliveryMode, DeliveryModes.ExpectReplies, StringComparison.OrdinalIgnoreCase);

    /// <summary>The body up to <paramref name="limit"/> bytes; null when it is larger.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

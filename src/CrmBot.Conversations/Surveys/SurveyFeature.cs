using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrmBot.Conversations.Cards;
using CrmBot.Conversations.Engine;
using CrmBot.Conversations.Recognition;
using CrmBot.Crm.Model;
using CrmBot.Crm.Surveys;
using Microsoft.Extensions.Logging;

namespace CrmBot.Conversations.Surveys;

/// <summary>
/// Anonymous surveys in chat: admins create, send, close, reopen, read and export; everyone answers
/// once with `feedback` or the card's button. An answer arrives in one card submit and goes straight
/// to the store: it is never kept in a dialog state, a reply, a log line or an error.
/// </summary>
public sealed partial class SurveyFeature(SurveyService surveys, SurveyDelivery delivery, ILogger<SurveyFeature> logger) : IChatFeature
{
    public const string CreateVerb = "survey.create";
    public const string PulseVerb = "survey.pulse";
    public const string OpenVerb = "survey.open";
    public const string AnswerVerb = "survey.answer";
    public const string CloseVerb = "survey.close";
    public const string ReopenVerb = "survey.reopen";
    public const string ExportVerb = "survey.export";

    /// <summary>Chat messages stay well under Teams' (28 KB) and Slack's (40k characters) limits.</summary>
    private const int MaxCsvInChat = 20_000;

    private const string AdminOnly = "Only admins can do that with surveys.";

    /// <summary>True for a turn that submits an answer: channels store nothing of it that names the member.</summary>
    public static bool CarriesAnswer(Turn turn) => CarriesAnswer(turn.Verb);

    public static bool CarriesAnswer(string? verb) => verb == AnswerVerb;

    public IReadOnlyCollection<string> Verbs { get; } = [CreateVerb, PulseVerb, OpenVerb, AnswerVerb, CloseVerb, ReopenVerb, ExportVerb];

    public IEnumerable<HelpEntry> Help { get; } =
    [
        new("feedback", "Answer the open anonymous survey"),
        new("survey new · survey pulse", "Create an anonymous survey (pulse: the post-rollout template)", AdminOnly: true),
        new("survey results", "Results, released in steps of enough new answers", AdminOnly: true),
        new("surveys · survey close · survey reopen · survey export", "Manage surveys (add a number for an older one: survey close 2); export the results as CSV", AdminOnly: true),
    ];

    public FeatureClaim? Claim(Utterance u)
    {
        if (u.Words.Count == 0) return null;
        if (u.StartsWith("feedback")) return new FeatureClaim("feedback");
        if (!u.StartsWith("survey") && !u.StartsWith("surveys")) return null;
        var action = u.Words.Count > 1 ? u.Words[1] : "list";
        var intent = action switch
        {
            "new" or "create" or "start" => "new",
            "pulse" or "template" => "pulse",
            "results" or "result" or "report" => "results",
            "close" or "stop" or "end" => "close",
            "reopen" or "open" => "reopen",
            "export" or "csv" => "export",
            "list" or "all" => "list",
            _ when SurveyNumber().IsMatch(action) => "results",
            _ => "list",
        };
        return new FeatureClaim("survey." + intent, 1.0, new Dictionary<string, string> { ["rest"] = u.After(intent == "results" && SurveyNumber().IsMatch(action) ? 1 : 2) });
    }

    public async Task HandleAsync(TurnContext context, FeatureClaim claim, CancellationToken ct)
    {
        if (claim.Intent == "feedback")
        {
            await ShowOpenSurveyAsync(context, null, ct);
            return;
        }
        if (!context.IsAdmin)
        {
            context.ReplyText(AdminOnly + " To answer the open survey, type `feedback`.");
            return;
        }
        var rest = claim.Entity("rest") ?? "";
        switch (claim.Intent)
        {
            case "survey.new":
                context.ReplyCard(CardNames.SurveyForm, SurveyCards.Form("", [], context.Today.AddDays(7), surveys.DefaultMinimum, context.Turn),
                    "New anonymous survey: fill in the form (title, up to 8 questions, audience, close date, minimum responses).");
                return;
            case "survey.pulse":
                ReplyPulseForm(context, false);
                return;
            case "survey.list":
                await ListAsync(context, ct);
                return;
        }
        var id = await ResolveSurveyIdAsync(context, rest, claim.Intent == "survey.close", ct);
        if (id is null) return;
        switch (claim.Intent)
        {
            case "survey.results": await ResultsAsync(context, id.Value, false, ct); break;
            case "survey.close": await CloseAsync(context, id.Value, false, ct); break;
            case "survey.reopen": await ReopenAsync(context, id.Value, DateParser.Find(rest, context.Today)?.Date, false, ct); break;
            case "survey.export": await ExportAsync(context, id.Value, ct); break;
        }
    }

    public async Task HandleVerbAsync(TurnContext context, string verb, JsonObject data, CancellationToken ct)
    {
        var surveyId = int.TryParse(SurveyCards.Field(data, "surveyId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        switch (verb)
        {
            case OpenVerb:
                await ShowOpenSurveyAsync(context, surveyId, ct);
                return;
            case AnswerVerb:
                await AnswerAsync(context, surveyId, data, ct);
                return;
        }
        if (!context.IsAdmin)
        {
            context.ReplyText(AdminOnly);
            return;
        }
        switch (verb)
        {
            case CreateVerb: await CreateAsync(context, data, ct); break;
            case PulseVerb: ReplyPulseForm(context, true); break;
            case CloseVerb when surveyId is { } id: await CloseAsync(context, id, true, ct); break;
            case ReopenVerb when surveyId is { } id: await ReopenAsync(context, id, null, true, ct); break;
            case ExportVerb when surveyId is { } id: await ExportAsync(context, id, ct); break;
            default: context.ReplyText("That survey card is missing its survey number; try `surveys`."); break;
        }
    }

    private void ReplyPulseForm(TurnContext context, bool replacesSource) =>
        context.ReplyCard(CardNames.SurveyForm,
            SurveyCards.Form(SurveyTemplates.PostRolloutPulseTitle, SurveyTemplates.PostRolloutPulse, context.Today.AddDays(7), surveys.DefaultMinimum, context.Turn),
            "The post-rollout pulse, ready to send: ease of use (1–5), time saved or lost per week, was the training enough, the one thing you would change.",
            replacesSource);

    private async Task CreateAsync(TurnContext context, JsonObject data, CancellationToken ct)
    {
        var (draft, errors) = ReadForm(context, data);
        if (draft is null)
        {
            context.Reply(new FieldErrorsReply(errors, "The survey needs a fix: " + string.Join(" ", errors.Values)));
            return;
        }
        try
        {
            var sent = 0;
            var survey = await surveys.CreateAsync(draft, context.Member, ct,
                async (created, token) => sent = await delivery.AddInvitationsAsync(created, token));
            Log.InvitationsQueued(logger, survey.Id, sent);
            var where = survey.Audience == SurveyAudience.Channel
                ? (sent > 0 ? "posted in this channel" : "ready; this channel cannot receive cards from the bot, so people answer with `feedback`")
                : $"sent to {sent} members by direct message (anyone can also type `feedback`)";
            context.ReplyText($"Survey #{survey.Id} “{survey.Title}” is {where}. It closes on {SurveyCards.Day(survey.ClosesOn)}; " +
                $"results show once {survey.MinResponses} people have answered: `survey results {survey.Id}`.");
        }
        catch (SurveyValidationException e)
        {
            context.Reply(new FieldErrorsReply(e.Errors, "The survey needs a fix: " + string.Join(" ", e.Errors.Values)));
        }
    }

    private (SurveyDraft? Draft, Dictionary<string, string> Errors) ReadForm(TurnContext context, JsonObject data)
    {
        var errors = new Dictionary<string, string>();
        var questions = new List<QuestionDraft>();
        for (var i = 0; i < SurveyRules.MaxQuestions; i++)
        {
            var text = SurveyCards.Field(data, SurveyRules.Fields.Question(i))?.Trim();
            if (string.IsNullOrEmpty(text)) continue;   // an empty slot is a question not asked
            var type = SurveyCards.ParseType(SurveyCards.Field(data, SurveyRules.Fields.QuestionType(i))) ?? SurveyQuestionType.Rating;
            var choices = (SurveyCards.Field(data, SurveyRules.Fields.QuestionChoices(i)) ?? "")
                .Split(['\n', ';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            questions.Add(new QuestionDraft(text, type, choices));
        }
        var closesText = SurveyCards.Field(data, SurveyRules.Fields.ClosesOn);
        DateOnly closesOn = default;
        if (string.IsNullOrWhiteSpace(closesText))
            closesOn = context.Today.AddDays(7);
        else if (DateOnly.TryParseExact(closesText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact))
            closesOn = exact;
        else if (DateParser.Parse(closesText, context.Today) is { } parsed)
            closesOn = parsed;
        else
            errors[SurveyRules.Fields.ClosesOn] = "Give the close date as a date, e.g. 2026-12-04.";

        int? minimum = null;
        var minimumText = SurveyCards.Field(data, SurveyRules.Fields.MinResponses);
        if (!string.IsNullOrWhiteSpace(minimumText))
        {
            if (double.TryParse(minimumText, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m == Math.Floor(m) && m is >= 0 and <= 100_000)
                minimum = (int)m;
            else
                errors[SurveyRules.Fields.MinResponses] = "The minimum is a whole number.";
        }

        var audience = SurveyCards.Field(data, SurveyRules.Fields.Audience) == "channel" ? SurveyAudience.Channel : SurveyAudience.AllMembers;
        string? channel = null, conversation = null;
        if (audience == SurveyAudience.Channel)
        {
            if (SurveyCards.Field(data, "inChannel") is not ("true" or "True"))
                errors[SurveyRules.Fields.Audience] = "To send the survey to a channel, type `survey new` in that channel.";
            channel = SurveyCards.Field(data, "conversationChannel") ?? context.Channel;
            conversation = SurveyCards.Field(data, "conversationId") ?? context.Turn.ConversationId;
        }
        if (errors.Count > 0)
            return (null, errors);
        return (new SurveyDraft(SurveyCards.Field(data, SurveyRules.Fields.Title) ?? "", questions, closesOn, audience, channel, conversation, minimum), errors);
    }

    private async Task ShowOpenSurveyAsync(TurnContext context, int? surveyId, CancellationToken ct)
    {
        var open = await surveys.OpenForAsync(context.Member, ct);
        var pick = surveyId is { } id ? open.FirstOrDefault(o => o.Survey.Id == id) : open.FirstOrDefault(o => !o.Answered) ?? open.FirstOrDefault();
        if (pick is null)
        {
            context.ReplyText(surveyId is null ? "There is no open survey right now. Thank you for asking!" : "That survey is closed now. Thank you anyway!");
            return;
        }
        if (pick.Answered)
        {
            context.ReplyText($"You have already answered “{pick.Survey.Title}”. Thank you! Answers are anonymous, so they cannot be changed or shown again.");
            return;
        }
        context.ReplyCard(CardNames.SurveyAnswer, SurveyCards.Answer(pick.Survey), SurveyCards.AnswerText(pick.Survey));
    }

    private async Task AnswerAsync(TurnContext context, int? surveyId, JsonObject data, CancellationToken ct)
    {
        if (surveyId is not { } id)
        {
            context.ReplyText("That survey card is missing its survey number; type `feedback` to get a fresh one.");
            return;
        }
        var survey = await surveys.GetAsync(id, ct);
        if (survey is null)
        {
            context.ReplyText("That survey no longer exists.");
            return;
        }
        var answers = new List<AnswerInput>(survey.Questions.Count);
        for (var i = 0; i < survey.Questions.Count; i++)
        {
            var value = SurveyCards.Field(data, SurveyRules.Fields.Answer(i));
            answers.Add(survey.Questions[i].Type switch
            {
                SurveyQuestionType.Rating => new AnswerInput(i, Rating: Number(value)),
                SurveyQuestionType.FreeText => new AnswerInput(i, Text: value),
                _ => new AnswerInput(i, Choices: (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(v => Number(v) ?? -1).ToList()),
            });
        }
        var result = await surveys.SubmitAsync(id, context.Member, answers, ct);
        switch (result.Status)
        {
            case SubmitStatus.Recorded:
                // Replacing the card takes the filled-in form off the screen: nothing left to see as "yours".
                context.ReplyCard(CardNames.SurveyThanks, new { title = survey.Title }, $"Thank you: your answer to “{survey.Title}” is in, stored without your name.", replacesSource: true);
                break;
            case SubmitStatus.AlreadyAnswered:
                context.ReplyText($"You have already answered “{survey.Title}”, thank you! Each person answers once, and answers cannot be changed.");
                break;
            case SubmitStatus.Closed:
                context.ReplyText($"“{survey.Title}” is closed, so the answer was not recorded. Thank you anyway!");
                break;
            case SubmitStatus.Invalid:
                context.Reply(new FieldErrorsReply(result.Errors!, "Almost there: " + string.Join(" ", result.Errors!.Values)));
                break;
            default:
                context.ReplyText("That survey no longer exists.");
                break;
        }
    }

    private async Task ListAsync(TurnContext context, CancellationToken ct)
    {
        var list = await surveys.ListAsync(context.Member, ct);
        if (list.Count == 0)
        {
            context.ReplyText("No surveys yet. `survey new` creates one, `survey pulse` starts from the post-rollout template.");
            return;
        }
        var lines = new List<string>();
        foreach (var s in list.Take(10))
            // The released count only: a live count would tell when each single answer came in.
            lines.Add($"#{s.Id} {s.Title}: {(surveys.IsOpen(s) ? "open until " + SurveyCards.Day(s.ClosesOn) : "closed")}, " +
                (s.ReleasedResponses > 0 ? $"results from {s.ReleasedResponses} responses" : "no results released yet"));
        context.ReplyText(string.Join("\n", lines) + "\n`survey results #` shows one.");
    }

    private async Task<int?> ResolveSurveyIdAsync(TurnContext context, string rest, bool preferOpen, CancellationToken ct)
    {
        var match = SurveyNumber().Match(rest);
        if (match.Success)
            return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var list = await surveys.ListAsync(context.Member, ct);
        var pick = preferOpen ? list.FirstOrDefault(surveys.IsOpen) ?? list.FirstOrDefault() : list.FirstOrDefault();
        if (pick is null)
            context.ReplyText("No surveys yet. `survey new` creates one.");
        return pick?.Id;
    }

    private async Task ResultsAsync(TurnContext context, int id, bool replacesSource, CancellationToken ct)
    {
        try
        {
            var results = await surveys.ResultsAsync(id, context.Member, ct);
            var isOpen = surveys.IsOpen(results.Survey);
            context.ReplyCard(CardNames.SurveyResults, SurveyCards.Results(results, isOpen), SurveyCards.ResultsText(results, isOpen), replacesSource);
        }
        catch (SurveyNotFoundException e)
        {
            context.ReplyText(e.Message);
        }
    }

    private async Task CloseAsync(TurnContext context, int id, bool fromCard, CancellationToken ct)
    {
        try
        {
            await surveys.CloseAsync(id, context.Member, ct);
            if (fromCard)
            {
                await ResultsAsync(context, id, true, ct);
                return;
            }
            var results = await surveys.ResultsAsync(id, context.Member, ct);
            context.ReplyText($"Survey #{id} is closed. {results.ReleaseNote(false)}\n`survey results {id}` shows the results; `survey reopen {id}` opens it again.");
        }
        catch (SurveyNotFoundException e)
        {
            context.ReplyText(e.Message);
        }
    }

    private async Task ReopenAsync(TurnContext context, int id, DateOnly? until, bool fromCard, CancellationToken ct)
    {
        try
        {
            var survey = await surveys.ReopenAsync(id, until, context.Member, ct);
            if (fromCard) await ResultsAsync(context, id, true, ct);
            else context.ReplyText($"Survey #{id} is open again until {SurveyCards.Day(survey.ClosesOn)}. " +
                $"New answers are released only once at least {survey.MinResponses} have come in since the last release.");
        }
        catch (SurveyNotFoundException e)
        {
            context.ReplyText(e.Message);
        }
        catch (SurveyValidationException e)
        {
            context.ReplyText(string.Join(" ", e.Errors.Values));
        }
    }

    private async Task ExportAsync(TurnContext context, int id, CancellationToken ct)
    {
        try
        {
            var csv = await surveys.ExportCsvAsync(id, context.Member, ct);
            // Chat channels carry text everywhere; files need extra scopes (Slack) or a file-consent
            // flow (Teams). So the CSV comes as a copyable block, and the command line writes a file.
            context.ReplyText(csv.Length <= MaxCsvInChat
                ? $"Survey #{id} as CSV (the shown results, not raw responses). On the server, `crmbot survey-export {id} --out results.csv` writes a file.\n```\n{csv}```"
                : $"The CSV of survey #{id} is too long for a chat message. On the server, run `crmbot survey-export {id} --out results.csv`.");
        }
        catch (SurveyNotFoundException e)
        {
            context.ReplyText(e.Message);
        }
    }

    private static int? Number(string? value) =>
        int.TryParse(value?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    [GeneratedRegex(@"#?(\d{1,9})\b")]
    private static partial Regex SurveyNumber();
}

namespace CrmBot.Crm.Model;

public enum SurveyStatus { Open = 0, Closed = 1 }

public enum SurveyQuestionType { Rating = 0, SingleChoice = 1, MultipleChoice = 2, FreeText = 3 }

/// <summary>Who a survey is sent to: one chat channel (a card posted there) or every member (a direct message each).</summary>
public enum SurveyAudience { Channel = 0, AllMembers = 1 }

/// <summary>
/// An anonymous feedback survey. It knows who created it (an admin acts in the open) but nothing
/// about who answered: that lives, unlinkable, in <see cref="SurveyParticipation"/>.
/// </summary>
public class Survey
{
    public int Id { get; set; }
    public required string Title { get; set; }
    /// <summary>1–8 questions, in order; stored as JSON because a survey is never edited after it is sent.</summary>
    public List<SurveyQuestion> Questions { get; set; } = [];
    public SurveyAudience Audience { get; set; }
    /// <summary>For a channel audience: the channel ("msteams", "slack", "terminal").</summary>
    public string? AudienceChannel { get; set; }
    /// <summary>For a channel audience: the conversation the card goes to (Teams channel conversation id, Slack channel id).</summary>
    public string? AudienceConversationId { get; set; }
    /// <summary>The last day answers are taken (inclusive, UTC).</summary>
    public DateOnly ClosesOn { get; set; }
    /// <summary>Results stay hidden below this many responses; never below 3.</summary>
    public int MinResponses { get; set; }
    public SurveyStatus Status { get; set; }
    public int CreatedById { get; set; }
    public Member? CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    /// <summary>When the one reminder to those who have not answered was queued; null until then.</summary>
    public DateTime? ReminderPlannedAt { get; set; }
    /// <summary>How many responses the last released results cover; 0 before the first release.</summary>
    public int ReleasedResponses { get; set; }
    /// <summary>
    /// The last released results, frozen as JSON (shown counts only, hidden ones already null), so every
    /// view between two releases is identical and one new answer never changes what an admin sees.
    /// </summary>
    public string? ReleasedResults { get; set; }
}

public class SurveyQuestion
{
    public required string Text { get; set; }
    public SurveyQuestionType Type { get; set; }
    /// <summary>The options of a choice question; empty otherwise.</summary>
    public List<string> Choices { get; set; } = [];
}

/// <summary>
/// One submitted answer sheet. Deliberately holds nothing but a random key and the survey: no
/// member, no chat message, no time at all. Its key is a random 63-bit INTEGER PRIMARY KEY, which
/// in SQLite is the rowid itself, so even the table's physical order carries no arrival order.
/// </summary>
public class SurveyResponse
{
    public long Id { get; set; }
    public int SurveyId { get; set; }
    public Survey? Survey { get; set; }
    public List<SurveyAnswer> Answers { get; set; } = [];
}

/// <summary>One question's answer within a response; random key for the same reason as the response's.</summary>
public class SurveyAnswer
{
    public long Id { get; set; }
    public long ResponseId { get; set; }
    public SurveyResponse? Response { get; set; }
    /// <summary>0-based position of the question in <see cref="Survey.Questions"/>.</summary>
    public int QuestionIndex { get; set; }
    /// <summary>1–5 for a rating question.</summary>
    public int? Rating { get; set; }
    /// <summary>Chosen option indexes for a choice question, comma-separated ("0,2").</summary>
    public string? Choices { get; set; }
    /// <summary>A free-text answer.</summary>
    public string? Text { get; set; }
}

/// <summary>
/// An answer sheet as it is stored at submit time: encrypted (AES-GCM under a key derived from the
/// participation secret, which never lies in the store's folder), so neither its text nor its place
/// in the page says anything to a copy. The next release opens every sealed sheet of the survey and
/// writes them out as <see cref="SurveyResponse"/> rows in shuffled order, then deletes these.
/// </summary>
public class SealedResponse
{
    public long Id { get; set; }
    public int SurveyId { get; set; }
    public Survey? Survey { get; set; }
    public required byte[] Blob { get; set; }
}

/// <summary>
/// "Someone already answered this survey": HMAC(key, survey + member), nothing else. Used to refuse a
/// second answer and to remind only those who have not answered. The key lives outside the store,
/// the row's own key is random, and nothing here orders or times it against the responses.
/// </summary>
public class SurveyParticipation
{
    public long Id { get; set; }
    public int SurveyId { get; set; }
    public Survey? Survey { get; set; }
    public required byte[] Token { get; set; }
}

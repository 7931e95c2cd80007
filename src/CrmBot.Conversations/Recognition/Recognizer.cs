using System.Text.RegularExpressions;
using CrmBot.Conversations.Engine;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Text;

namespace CrmBot.Conversations.Recognition;

/// <summary>
/// Deterministic reading of what a rep typed: intent first (command words, tolerant of one typo),
/// then entities by the message's shape ("log call with NAME: NOTES, follow up DATE TITLE").
/// No network, no model; names are only cut out here and matched against the store by the flows.
/// </summary>
public sealed partial class Recognizer(IReadOnlyList<PipelineStage> pipeline)
{
    public Recognizer() : this(PipelineStage.Defaults) { }

    private static readonly HashSet<string> ListFillers =
        ["my", "show", "me", "list", "the", "all", "open", "pending", "what", "whats", "is", "are", "s", "any", "do", "i", "have",
         "please", "pls", "get", "view", "see", "for", "of", "current", "our", "mine", "up", "coming", "upcoming", "check", "due"];

    private static readonly string[][] FollowUpLists =
    [
        ["follow", "ups"], ["follow", "up"], ["follow"], ["followups"], ["tasks"], ["task"], ["todo"], ["todos"], ["to"], ["today"],
        ["tasks", "today"], ["today", "tasks"], ["follow", "ups", "today"], ["today", "follow", "ups"], ["overdue"],
        ["agenda"], ["reminders"], ["todays", "follow", "ups"], ["todays", "tasks"], ["to", "dos"], ["s", "today"], ["today", "s"],
    ];

    private static readonly string[][] DealLists =
    [
        ["deals"], ["pipeline"], ["opportunities"], ["opps"], ["deals", "pipeline"], ["pipe"],
    ];

    private static readonly HashSet<string> Greetings =
        ["help", "hi", "hello", "hey", "hiya", "yo", "menu", "commands", "start", "what can you do", "what can i do", "what can i say",
         "how does this work", "options", "help me", "hey there", "hi there", "hello there", "good morning", "howdy", "h", "usage", "how do i use this"];

    public Recognition Recognize(Utterance u)
    {
        if (u.Recognized is { } cached) return cached;
        var result = Read(u);
        u.Recognized = result;
        return result;
    }

    private Recognition Read(Utterance u)
    {
        var w = u.Words;
        if (w.Count == 0) return Recognition.None;
        if (Greetings.Contains(u.Folded) || (w[0] == "help" && w.Count <= 4)) return new Recognition(Intent.Help);
        if (IsUndo(u)) return new Recognition(Intent.Undo);
        if (MatchesList(w, FollowUpLists) || u.Folded is "what s due" or "whats due" or "whats due today" or "due today" or "what is due today")
            return new Recognition(Intent.FollowUps);
        if (ReadFollowUpDays(u) is { } days) return days;
        if (MatchesList(w, DealLists)) return new Recognition(Intent.MyDeals);
        if (Fuzzy.IsAny(w[0], "snooze", "postpone", "defer", "delay")) return Snooze(u);
        if (ReadCreate(u) is { } create) return create;
        if (ReadComplete(u) is { } complete) return complete;
        if (ReadDealStage(u) is { } stage) return stage;
        if (ReadAddFollowUp(u) is { } followUp) return followUp;
        if (ReadLog(u) is { } log) return log;
        if (ReadSummary(u) is { } summary) return summary;
        return Recognition.None;
    }

    private static bool IsUndo(Utterance u) =>
        u.Words.Count <= 4 && u.Words.Any(x => Fuzzy.SameWord(x, "undo")) ||
        u.Folded is "take that back" or "revert" or "revert that" or "delete that" or "remove last log" or "delete last log";

    private static bool MatchesList(IReadOnlyList<string> words, string[][] patterns)
    {
        var rest = words.Where(x => !ListFillers.Contains(x)).ToList();
        if (rest.Count == 0) return false;
        foreach (var p in patterns)
        {
            if (p.Length != rest.Count) continue;
            var ok = true;
            for (var i = 0; i < p.Length && ok; i++) ok = Fuzzy.SameWord(rest[i], p[i]);
            if (ok) return true;
        }
        return false;
    }

    // ---- follow-ups: done / snooze -------------------------------------------------------------

    private static Recognition Snooze(Utterance u)
    {
        var rest = u.After(1);
        int? days = null;
        DateOnly? until = null;
        var period = SnoozePeriod().Match(rest);
        if (period.Success)
        {
            var n = period.Groups["n"].Value.ToLowerInvariant() switch
            {
                "a" or "an" or "one" => 1, "two" => 2, "three" => 3, var digits => int.Parse(digits),
            };
            days = period.Groups["unit"].Value.StartsWith('w') ? 7 * n : n;
            rest = rest.Remove(period.Index, period.Length);
        }
        else if (DateParser.Find(rest, u.Today, u.DateOrder) is { } date)
        {
            until = date.Date;
            rest = rest.Remove(date.Index, date.Length);
        }
        var (item, text) = ItemRef(rest);
        return new Recognition(Intent.Snooze) { Item = item, ItemText = text, SnoozeDays = days ?? (until is null ? 1 : null), SnoozeUntil = until };
    }

    private static Recognition? ReadComplete(Utterance u)
    {
        var w = u.Words;
        var completeWords = new[] { "done", "complete", "completed", "finish", "finished", "tick", "check" };
        if (Fuzzy.IsAny(w[0], completeWords) || w[0] == "did")
        {
            var rest = u.After(1);
            rest = LeadingWith().Replace(rest, "");
            var (item, text) = ItemRef(rest);
            return new Recognition(Intent.Complete) { Item = item, ItemText = text };
        }
        // "mark 2 done", "mark #3 as complete", "2 done", "#2 is done"
        var m = MarkDone().Match(u.Expanded);
        if (m.Success)
        {
            var (item, text) = ItemRef(m.Groups["what"].Value);
            return new Recognition(Intent.Complete) { Item = item, ItemText = text };
        }
        return null;
    }

    private static (int? Item, string? Text) ItemRef(string rest)
    {
        rest = rest.Trim().Trim('.', '!', ',').Trim();
        var number = ItemNumber().Match(rest);
        if (number.Success) return (int.Parse(number.Groups[1].Value), null);
        var text = LeadingFiller().Replace(rest, "").Trim();
        return (null, text.Length == 0 ? null : text);
    }

    // ---- deals -----------------------------------------------------------------------------------

    private Recognition? ReadDealStage(Utterance u)
    {
        var text = u.Expanded;
        var move = MoveDeal.Match(text);
        if (move.Success && StageOf(move.Groups["stage"].Value, out var named, out var unknown, strict: false))
            return new Recognition(Intent.DealStage) { Deal = CleanName(move.Groups["deal"].Value), Stage = named, UnknownStage = unknown, Reason = Clean(move.Groups["reason"].Value) };

        var bare = BareStage().Match(text);
        if (bare.Success && StageOf(bare.Groups["stage"].Value, out named, out _, strict: true))
            return new Recognition(Intent.DealStage, 0.9) { Deal = CleanName(bare.Groups["deal"].Value), Stage = named, Reason = Clean(bare.Groups["reason"].Value) };

        if (MaySayWonOrLost(text) && ClosedDeal.Match(text) is { Success: true } closed
            && StageOf(closed.Groups["stage"].Value, out named, out _, strict: true))
            return new Recognition(Intent.DealStage, 0.9) { Deal = CleanName(closed.Groups["deal"].Value), Stage = named, Reason = Clean(closed.Groups["reason"].Value) };

        var show = ShowDeal().Match(text);
        if (show.Success && Clean(show.Groups["deal"].Value) is { } deal)
            return new Recognition(Intent.DealStage) { Deal = CleanName(deal) };
        return null;
    }

    /// <summary>
    /// False only when <see cref="ClosedDeal"/> cannot match: every one of its stages says "won" or "lost". Interpreted,
    /// that pattern was slow to fail on an ordinary log message (its lazy deal name is tried at every length),
    /// more than the rest of recognition together (docs/decisions/performance.md, finding 24). Text that is not all ASCII goes to the
    /// pattern anyway, so this check cannot change an answer: the pattern's case-insensitive matching may know
    /// equivalents outside ASCII that an ordinal search does not.
    /// </summary>
    private static bool MaySayWonOrLost(string text) =>
        !System.Text.Ascii.IsValid(text)
        || text.Contains("won", StringComparison.OrdinalIgnoreCase) || text.Contains("lost", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a stage name or synonym; strict means it must be one (no unknown-stage result).</summary>
    private bool StageOf(string typed, out string? stage, out string? unknown, bool strict)
    {
        stage = null;
        unknown = null;
        var folded = TextFold.Fold(typed);
        if (folded.Length == 0) return false;
        foreach (var s in pipeline)
        {
            if (TextFold.Fold(s.Name) == folded || s.Synonyms.Any(x => TextFold.Fold(x) == folded)) { stage = s.Name; return true; }
        }
        foreach (var s in pipeline)
        {
            var names = s.Synonyms.Append(s.Name).Select(TextFold.Fold);
            if (names.Any(n => n.Length >= 4 && Fuzzy.SameWord(folded, n))) { stage = s.Name; return true; }
        }
        if (strict) return false;
        // "mark 2 as done" is not a stage move.
        if (folded is "done" or "complete" or "completed" or "finished") return false;
        unknown = typed.Trim();
        return true;
    }

    // ---- follow-ups: a range of days ---------------------------------------------------------------

    /// <summary>
    /// "tomorrow", "this week", "next week", "follow-ups for Friday", "what's due Dec 3": the list for
    /// those days. "this week" and "next week" are Monday to Sunday; "follow up tomorrow" (singular)
    /// stays a new follow-up.
    /// </summary>
    private static Recognition? ReadFollowUpDays(Utterance u)
    {
        if (u.Words.Count > 8 || DateParser.Find(u.Expanded, u.Today) is not { } found) return null;
        var rest = TextFold.Fold(u.Expanded[..found.Index] + " " + u.Expanded[(found.Index + found.Length)..]);
        var words = rest.Length == 0 ? [] : rest.Split(' ');
        var listWords = words.Where(x => !ListFillers.Contains(x)).ToList();
        var phrase = DatePreposition().Replace(TextFold.Fold(found.Text), "");
        var named = phrase is "tomorrow" or "this week" or "next week";
        double confidence;
        if (listWords.Count == 0) confidence = named || words.Length > 0 ? 0.8 : 0.6;
        else if (MatchesList(words, FollowUpLists) && !(listWords is ["follow", "up"] or ["follow"])) confidence = 1.0;
        else return null;

        var monday = found.Date.AddDays(-(((int)found.Date.DayOfWeek + 6) % 7));
        var (from, to) = phrase is "this week" or "next week" ? (monday, monday.AddDays(6)) : (found.Date, found.Date);
        if (from == to && from == u.Today) return new Recognition(Intent.FollowUps, confidence);
        return new Recognition(Intent.FollowUps, confidence) { DueFrom = from, DueTo = to };
    }

    // ---- follow-ups: add ---------------------------------------------------------------------------

    private static Recognition? ReadAddFollowUp(Utterance u)
    {
        var m = AddFollowUpLead().Match(u.Expanded);
        if (!m.Success) return null;
        var rest = m.Groups["rest"].Value;
        string? contact = null;
        string? title = null;
        DateOnly? date = null;

        if (DateParser.Find(rest, u.Today, u.DateOrder) is { } found)
        {
            date = found.Date;
            rest = (rest[..found.Index] + " " + rest[(found.Index + found.Length)..]).Trim();
        }
        var split = TitleSplit().Match(rest);
        if (split.Success)
        {
            title = Clean(split.Groups["title"].Value);
            rest = split.Groups["head"].Value;
        }
        var who = FollowUpWho().Match(rest);
        if (who.Success)
        {
            contact = CleanName(who.Groups["name"].Value);
            if (who.Groups["verb"].Success && title is null) title = Capitalize($"{who.Groups["verb"].Value} {contact}");
        }
        else if (m.Groups["remind"].Success && Clean(rest) is { } what)
        {
            title ??= Capitalize(what);
        }
        return new Recognition(Intent.AddFollowUp) { Contact = contact, FollowUpDate = date, FollowUpTitle = title, WantsFollowUp = true };
    }

    // ---- log activity ----------------------------------------------------------------------------

    private static Recognition? ReadLog(Utterance u)
    {
        var w = u.Words;
        ActivityType? type = null;
        string rest;
        double confidence = 1.0;

        string? leadNote = null;
        var lead = 0;
        if (w[0] is "please" or "pls") lead++;
        if (w.Count > lead && (Fuzzy.SameWord(w[lead], "log") || (Fuzzy.IsAny(w[lead], "add", "record", "new", "create") && w.Count > lead + 1 && TypeOf(w[lead + 1] == "a" && w.Count > lead + 2 ? w[lead + 2] : w[lead + 1]) is not null)))
        {
            var i = lead + 1;
            if (i < w.Count && w[i] is "a" or "an") i++;
            if (i < w.Count && TypeOf(w[i]) is { } t)
            {
                type = t;
                i++;
                if (i < w.Count && w[i - 1] == "phone" && w[i] == "call") i++;
            }
            rest = u.After(i);
        }
        else if (TypeFirst().Match(u.Expanded) is { Success: true } typeFirst && NounType(TextFold.Fold(typeFirst.Groups["type"].Value)) is { } t1)
        {
            type = t1;
            rest = typeFirst.Groups["rest"].Value;
        }
        else if (Voicemail().Match(u.Expanded) is { Success: true } voicemail)
        {
            // "left a voicemail for John": a call that reached nobody; that is its note.
            type = ActivityType.Call;
            rest = voicemail.Groups["rest"].Value;
            leadNote = "Left a voicemail";
            confidence = 0.9;
        }
        else if (PastTense().Match(u.Expanded) is { Success: true } past)
        {
            type = TypeOf(TextFold.Fold(past.Groups["verb"].Value).Split(' ')[^1]);
            rest = past.Groups["rest"].Value;
            confidence = 0.9;
        }
        else return null;

        rest = rest.Trim();
        // The follow-up clause first, so "… follow up Friday" never ends up in the contact or the notes.
        bool wantsFollowUp = false;
        string? title = null;
        DateOnly? date = null;
        string? dateText = null;
        var marker = FollowUpMarker().Match(rest);
        if (marker.Success)
        {
            wantsFollowUp = true;
            var clause = marker.Groups["clause"].Value;
            rest = rest[..marker.Index];
            if (DateParser.Find(clause, u.Today, u.DateOrder) is { } found)
            {
                date = found.Date;
                dateText = found.Text;
                clause = clause[..found.Index] + " " + clause[(found.Index + found.Length)..];
            }
            title = FollowUpTitle(clause);
        }

        string? contact;
        string? notes = null;
        var head = LeadingPreposition().Replace(rest, "");
        var split = ContactNotesSplit().Match(head);
        if (split.Success)
        {
            contact = split.Groups["contact"].Value;
            notes = split.Groups["notes"].Value;
        }
        else contact = head;

        if (leadNote is not null) notes = Clean(notes) is { } more ? $"{leadNote}: {more}" : leadNote;

        // A day or time next to the name ("called Jane yesterday", "call with Jane at 10am") is when it happened,
        // not part of the name.
        PastMatch? when = null;
        if (contact is not null && DateParser.FindPast(contact, u.Today, u.DateOrder) is { } happened)
        {
            when = happened;
            contact = contact[..happened.Index] + " " + contact[(happened.Index + happened.Length)..];
        }
        return new Recognition(Intent.LogActivity, confidence)
        {
            ActivityType = type,
            Contact = CleanName(contact),
            Notes = Clean(notes),
            WantsFollowUp = wantsFollowUp,
            FollowUpDate = date,
            FollowUpDateText = dateText,
            FollowUpTitle = title,
            OccurredOn = when?.Date,
            OccurredTime = when?.Time,
            OccurredText = when?.Text,
        };
    }

    private static string? FollowUpTitle(string clause)
    {
        var t = clause.Trim().Trim(',', ';', '.', ':', '-', '—').Trim();
        // "with Jane" repeats the contact; only what comes after a delimiter is a title.
        var with = WithThenTitle().Match(t);
        if (with.Success) t = with.Groups["after"].Value;
        t = LeadingTitleFiller().Replace(t, "");
        var clean = Clean(t);
        return clean is null ? null : Capitalize(clean);
    }

    private static ActivityType? TypeOf(string word) => word switch
    {
        _ when Fuzzy.IsAny(word, "call", "called", "phone", "phoned", "rang", "spoke", "talked", "dialed", "calls") => ActivityType.Call,
        _ when Fuzzy.IsAny(word, "meeting", "met", "meet", "meetings") => ActivityType.Meeting,
        _ when Fuzzy.IsAny(word, "email", "emailed", "mail", "mailed", "e", "emails") => ActivityType.Email,
        _ when Fuzzy.IsAny(word, "note", "notes", "noted") => ActivityType.Note,
        _ => null,
    };

    /// <summary>
    /// A message that starts with the kind of activity ("meeting with Jane: …", "emial to Sofia: …"): only the nouns
    /// count, one typo allowed, so "meet with Jane tomorrow" is no log.
    /// </summary>
    private static ActivityType? NounType(string folded) => folded.Replace(" ", "") switch
    {
        var w when Fuzzy.IsAny(w, "call", "phonecall") => ActivityType.Call,
        var w when Fuzzy.IsAny(w, "meeting") => ActivityType.Meeting,
        var w when Fuzzy.IsAny(w, "email") => ActivityType.Email,
        var w when Fuzzy.IsAny(w, "note") => ActivityType.Note,
        _ => null,
    };

    /// <summary>"call", "mtg", "e-mail", "meeting" → the type; null when not a type word.</summary>
    public static ActivityType? ParseActivityType(string? text) => text is null ? null : TypeOf(TextFold.Fold(new Utterance(text, default).Expanded).Replace(" ", ""));

    // ---- contact summary -----------------------------------------------------------------------------

    private static Recognition? ReadSummary(Utterance u)
    {
        var m = SummaryLead().Match(u.Expanded);
        if (m.Success && CleanName(m.Groups["name"].Value) is { } name)
            return new Recognition(Intent.ContactSummary) { Contact = name };
        // One fuzzy command word: "summay Jane Doe", "contcat Jane".
        if (u.Words.Count >= 2 && Fuzzy.IsAny(u.Words[0], "summary", "summarize", "contact", "profile", "lookup") && CleanName(u.After(1)) is { } n)
            return new Recognition(Intent.ContactSummary) { Contact = n };
        // "Jane Doe?" — a bare name asked as a question.
        if (u.Text.EndsWith('?') && u.Words.Count is >= 1 and <= 3 && CleanName(u.Text.TrimEnd('?')) is { } bare)
            return new Recognition(Intent.ContactSummary, 0.6) { Contact = bare };
        return null;
    }

    // ---- add contact / new deal ------------------------------------------------------------------------

    private static Recognition? ReadCreate(Utterance u)
    {
        if (u.Words.Count < 2) return null;
        var lead = u.Words[0] is "please" or "pls" ? 1 : 0;
        if (u.Words.Count < lead + 2 || !Fuzzy.IsAny(u.Words[lead], "add", "new", "create")) return null;
        var next = lead + 1;
        while (next < u.Words.Count - 1 && u.Words[next] is "a" or "an" or "new") next++;
        Intent? intent = Fuzzy.IsAny(u.Words[next], "contact", "person") ? Intent.CreateContact
            : Fuzzy.IsAny(u.Words[next], "deal", "opportunity", "opp") ? Intent.CreateDeal : null;
        if (intent is null) return null;
        // The raw text, not Expanded: an email or phone number must reach the feature exactly as typed.
        var details = CreateLead().Replace(u.Text, "", 1);
        return new Recognition(intent.Value) { Details = Clean(details) };
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static string? Clean(string? text)
    {
        if (text is null) return null;
        var t = text.Trim().Trim(',', ';', '.', ':', '-', '—', '–', '!', '?').Trim();
        return t.Length == 0 ? null : t;
    }

    private static string? CleanName(string? text)
    {
        var t = Clean(text);
        if (t is null) return null;
        t = NameNoise().Replace(t, "");
        t = WhiteSpaceRun().Replace(t, " ");
        return Clean(t);
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    // Generated, never Regex.Match(text, pattern): the static methods share a 15-entry cache with every
    // library in the process, and under load it thrashed, re-parsing these patterns on every turn.
    [GeneratedRegex(@"^(?:with|w)\s+[^:;,\-—]*(?:[:;,\-—]\s*(?<after>.*))?$", RegexOptions.IgnoreCase)]
    private static partial Regex WithThenTitle();
    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpaceRun();
    [GeneratedRegex(@"(?:for\s+|by\s+)?\b(?<n>\d{1,3}|an?|one|two|three)\s*(?<unit>d|days?|w|wks?|weeks?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SnoozePeriod();
    [GeneratedRegex(@"^(?:#|no\.?\s*|number\s+|item\s+)?(\d{1,3})\b")]
    private static partial Regex ItemNumber();
    [GeneratedRegex(@"^(?:with|on|the|my|follow up|item)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingWith();
    [GeneratedRegex(@"^(?:(?:the|my|follow up|followup|task|with|for|to|on|item|until)\s+)+", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingFiller();
    [GeneratedRegex(@"^(?:mark|set)\s+(?<what>.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)\W*$|^(?<what>#?\d{1,3})\s+(?:is\s+)?(?:done|complete|completed|finished)\W*$", RegexOptions.IgnoreCase)]
    private static partial Regex MarkDone();

    // These two are interpreted rather than generated, like DateParser's pattern and for the same reason: their
    // generated methods are the next largest, and recompiling them kept memory too (finding 22).
    private static readonly Regex MoveDeal = new(@"^(?:please\s+)?(?:move|set|update|change|put|mark|advance|bump|progress|push|shift|stage)\s+(?:the\s+)?(?:deal\s+)?(?<deal>.+?)(?:\s+deal)?(?:\s+stage)?\s+(?:to|as|into|->|→|=)\s+(?:the\s+)?(?<stage>[^,:;\-—]+?)(?:\s+stage)?(?:\s*(?:[,:;\-—]|\bbecause\b|\bsince\b|\breason:?)\s*(?<reason>.+))?\s*[.!]*$", RegexOptions.IgnoreCase);
    [GeneratedRegex(@"^(?<deal>.+?)\s+(?:deal\s+)?(?:to|->|→|is\s+now|now)\s+(?:in\s+)?(?<stage>[^,:;\-—]+?)(?:\s*(?:[,:;\-—]|\bbecause\b|\bsince\b)\s*(?<reason>.+))?\s*[.!]*$", RegexOptions.IgnoreCase)]
    private static partial Regex BareStage();
    private static readonly Regex ClosedDeal = new(@"^(?:(?:we\s+)?(?:closed|close)\s+)?(?:the\s+)?(?<deal>.+?)\s*(?:deal\s*)?(?:is\s+|was\s+|as\s+|:\s*|-\s*)?(?<stage>closed\s+won|closed\s+lost|won|lost)\b(?:\s*(?:[,:;\-—]|\bbecause\b|\bsince\b|\bdue\s+to\b)\s*(?<reason>.+))?\s*[.!]*$|^(?:we\s+)?(?<stage>won|lost)\s+(?:the\s+)?(?<deal>.+?)(?:\s+deal)?(?:\s*(?:[,:;\-—]|\bbecause\b|\bsince\b|\bdue\s+to\b)\s*(?<reason>.+))?\s*[.!]*$", RegexOptions.IgnoreCase);
    [GeneratedRegex(@"^(?:show\s+(?:me\s+)?|open\s+)?(?:the\s+)?(?:deal|stage\s+of|stage\s+for|deal\s+stage\s+(?:of|for))\s+(?<deal>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ShowDeal();

    [GeneratedRegex(@"^(?:(?:on|by|due|before|until|till|til|for)\s+)+")]
    private static partial Regex DatePreposition();
    [GeneratedRegex(@"^(?:please\s+)?(?:(?:add|create|new|set|schedule|make)\s+(?:an?\s+)?follow up|follow up|(?<remind>remind\s+me(?:\s+to)?|reminder(?:\s+to)?))(?=\s|$)\s*(?:to\s+)?(?<rest>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex AddFollowUpLead();
    [GeneratedRegex(@"^(?<head>.*?)\s*(?:[:;\-—]|\s(?:to|about|re|regarding)\s)\s*(?<title>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TitleSplit();
    [GeneratedRegex(@"^(?:on\s+)?(?:(?<verb>call|email|ping|text|meet|phone)\s+(?:with\s+)?|(?:with|for|on)\s+)(?<name>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpWho();

    [GeneratedRegex(@"^(?:an?\s+)?(?<type>phone\s+call|e-mail|\p{L}+)\s+(?:with|to|for|on|about)\s+(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TypeFirst();
    [GeneratedRegex(@"^(?:(?:i|we)\s+)?(?:just\s+)?left\s+(?:an?\s+)?(?:voice\s*mail|vm|voice\s+message|message)\s+(?:for|with|to)\s+(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex Voicemail();
    [GeneratedRegex(@"^(?:(?:i|we)\s+)?(?:just\s+)?(?<verb>called|phoned|rang|spoke|talked|met|emailed|e-mailed|mailed|had\s+(?:an?\s+)?(?:call|meeting|email))\s+(?:with\s+|to\s+)?(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex PastTense();
    [GeneratedRegex(@"(?:^|[\s,;:.\-—]+)(?:(?:and|then|also|&)\s+)?(?:need\s+to\s+|will\s+|to\s+)?(?:follow up|next\s+steps?|remind\s+me|reminder)\b\s*:?(?<clause>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpMarker();
    [GeneratedRegex(@"^(?:(?:with|to|for|on|w)\s+)+", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingPreposition();
    [GeneratedRegex(@"^(?<contact>.+?)(?:\s*[:;—–]\s*|\s+-\s+|\s*,\s*|\s+(?:about|re|regarding|abt|concerning)\s+)(?<notes>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex ContactNotesSplit();
    [GeneratedRegex(@"^(?:(?:to|on|by|about|re|regarding|and|then)\s+)+", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingTitleFiller();
    [GeneratedRegex(@"^(?:(?:with|to|for|on|about|the|contact|mr|ms|mrs|dr)\.?\s+)+|\s+(?:today|earlier|this\s+morning|this\s+afternoon|just\s+now)$", RegexOptions.IgnoreCase)]
    private static partial Regex NameNoise();
    [GeneratedRegex(@"^\W*(?:(?:please|pls)\W+)?\w+\W+(?:(?:a|an|new)\W+){0,2}\w+\b[\s:,\-—]*", RegexOptions.IgnoreCase)]
    private static partial Regex CreateLead();
    [GeneratedRegex(@"^(?:please\s+)?(?:who\s+is|who's|whos|who\s+s|summary\s+(?:of|for|on)|summary|summarize|summarise|sum\s+up|brief\s+me\s+on|brief\s+me\s+about|brief|tell\s+me\s+about|what\s+do\s+we\s+know\s+about|info\s+(?:on|about|for)|info|about|look\s*up|find|show\s+(?:me\s+)?contact|show\s+me|contact\s+(?:info|card|details)?\s*(?:for|on)?|profile\s+(?:of|for)?|prep\s+(?:me\s+)?for|details\s+(?:on|for|of))\s+(?<name>.+?)\s*\??$", RegexOptions.IgnoreCase)]
    private static partial Regex SummaryLead();
}

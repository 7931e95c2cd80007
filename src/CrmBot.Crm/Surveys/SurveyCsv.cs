using System.Globalization;
using CrmBot.Crm.Model;
using CsvHelper;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// The CSV export: the results table, one row per shown figure, never one row per response.
/// Raw rows would hand back every group the results hide, so the file holds exactly what
/// <c>survey results</c> shows: the last release (free-text answers in random order, hidden counts left empty).
/// </summary>
public static class SurveyCsv
{
    /// <param name="isOpen">Whether answers may still come (the note then says when the next release is due).</param>
    public static string Write(SurveyResults results, bool isOpen)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        // Free text opened in a spreadsheet must not run as a formula (CSV injection).
        using var csv = CsvWriter.Create(writer, new CsvWriterOptions { Injection = CsvInjection.Escape }, true);
        csv.WriteRecord(["survey", "question_no", "question", "type", "answer", "count", "note"]);

        void Row(int? questionNo, string question, string type, string answer, int? count, string note) =>
            csv.WriteRecord([
                results.Survey.Title,
                questionNo?.ToString(CultureInfo.InvariantCulture) ?? "",
                question, type, answer,
                count?.ToString(CultureInfo.InvariantCulture) ?? "",
                note,
            ]);

        Row(null, "", "", "responses", results.Hidden ? null : results.Responses, results.ReleaseNote(isOpen));
        foreach (var q in results.Questions)
        {
            var type = TypeName(q.Question.Type);
            Row(q.Index + 1, q.Question.Text, type, "answered", q.Answered, "");
            if (q.Question.Type == SurveyQuestionType.Rating)
                Row(q.Index + 1, q.Question.Text, type, "average", null,
                    q.Average is { } a ? a.ToString("0.00", CultureInfo.InvariantCulture) : "hidden: it would reveal a hidden group");
            foreach (var g in q.Groups)
                Row(q.Index + 1, q.Question.Text, type, g.Label, g.Count, g.Hidden ? $"hidden: fewer than {results.Minimum} or hidden with such a group" : "");
            if (results.HiddenNote(q) is { } hidden)
                Row(q.Index + 1, q.Question.Text, type, "hidden together", q.HiddenAnswers > 0 ? q.HiddenAnswers : null, hidden);
            foreach (var text in q.Texts)
                Row(q.Index + 1, q.Question.Text, type, text, null, "");
        }
        csv.Flush();
        return writer.ToString();
    }

    public static string TypeName(SurveyQuestionType type) => type switch
    {
        SurveyQuestionType.Rating => "rating",
        SurveyQuestionType.SingleChoice => "single",
        SurveyQuestionType.MultipleChoice => "multiple",
        _ => "text",
    };
}

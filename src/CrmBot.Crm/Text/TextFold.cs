using System.Globalization;
using System.Text;

namespace CrmBot.Crm.Text;

/// <summary>
/// The one way names are folded for matching: lower case, accents removed ("Müller" → "muller",
/// "ß" → "ss"), punctuation to spaces, single spaces, trimmed. Search keys and duplicate
/// detection both use it, so what is found and what is merged agree.
/// </summary>
public static class TextFold
{
    public static string Fold(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var ch in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(ch))
            {
                if (pendingSpace && sb.Length > 0) sb.Append(' ');
                pendingSpace = false;
                switch (ch)
                {
                    case 'ß': sb.Append("ss"); break;
                    case 'æ' or 'Æ': sb.Append("ae"); break;
                    case 'ø' or 'Ø': sb.Append('o'); break;
                    case 'ł' or 'Ł': sb.Append('l'); break;
                    case 'đ' or 'Đ': sb.Append('d'); break;
                    default: sb.Append(char.ToLowerInvariant(ch)); break;
                }
            }
            else if (ch != '\'' && ch != '’')
            {
                // Apostrophes join ("O'Brien" → "obrien"); anything else separates words.
                pendingSpace = true;
            }
        }
        return sb.ToString();
    }
}

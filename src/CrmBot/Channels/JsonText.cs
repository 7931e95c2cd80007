using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace CrmBot.Channels;

/// <summary>What a channel's edge checks in a JSON body before it trusts any string in it.</summary>
internal static class JsonText
{
    /// <summary>
    /// Why the body's strings cannot be read (invalid UTF-8, a lone surrogate), or null. Parsed nodes read their
    /// strings lazily, so these would otherwise throw on first use, deep in a turn. Syntax errors are left to the parser.
    /// </summary>
    public static string? Unreadable(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8)) return "The body is not valid UTF-8.";
        // Only an escaped string can hold a lone surrogate in valid UTF-8, so only those are unescaped.
        var reader = new Utf8JsonReader(utf8);
        byte[]? rented = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
                if (rented is null || rented.Length < reader.ValueSpan.Length)
                {
                    if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
                    rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                }
                try { reader.CopyString(rented); }
                catch (InvalidOperationException) { return "A string holds a lone surrogate."; }
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

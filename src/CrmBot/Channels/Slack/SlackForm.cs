using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Primitives;

namespace CrmBot.Channels.Slack;

/// <summary>
/// A form-encoded body (slash commands, interactions), read strictly: Slack sends UTF-8, so a body or a decoded value
/// that is not valid UTF-8 is refused instead of being read with replacement characters, which could name a member or
/// a record that was never meant. A '%' that starts no escape is refused too: read as text it would do the same.
/// </summary>
internal static class SlackForm
{
    /// <summary>The fields (a key given twice keeps both values); null with the reason when the bytes are not UTF-8.</summary>
    public static Dictionary<string, StringValues>? Read(ReadOnlySpan<byte> body, out string reason)
    {
        reason = "";
        var fields = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        if (!Utf8.IsValid(body))
        {
            reason = "The body is not valid UTF-8.";
            return null;
        }
        var buffer = new byte[body.Length];
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'&');
            var pair = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (pair.IsEmpty) continue;
            var eq = pair.IndexOf((byte)'=');
            var key = Decode(eq < 0 ? pair : pair[..eq], buffer);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..], buffer);
            if (key is null || value is null)
            {
                reason = "A form field is not percent-encoded UTF-8.";
                return null;
            }
            if (key.Length == 0) continue;
            fields[key] = fields.TryGetValue(key, out var seen) ? StringValues.Concat(seen, value) : new StringValues(value);
        }
        return fields;
    }

    /// <summary>'+' is a space and %XX a byte; null when a '%' is not followed by two hex digits or the bytes are not UTF-8.</summary>
    private static string? Decode(ReadOnlySpan<byte> encoded, byte[] buffer)
    {
        var n = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == '+') b = (byte)' ';
            else if (b == '%')
            {
                if (i + 2 >= encoded.Length || Hex(encoded[i + 1]) is not (>= 0 and var hi) || Hex(encoded[i + 2]) is not (>= 0 and var lo)) return null;
                b = (byte)(hi << 4 | lo);
                i += 2;
            }
            buffer[n++] = b;
        }
        var bytes = buffer.AsSpan(0, n);
        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}

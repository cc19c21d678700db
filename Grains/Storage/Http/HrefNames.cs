using System.Buffers;
using System.Text;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Turns listing hrefs into names and names back into URL paths without losing bytes. Names are UTF-8 when they can be;
/// a byte that is not valid UTF-8 (a Latin-1 "é" as 0xE9 on an old Windows server) becomes one character of the private
/// range U+F780–U+F7FF, and goes back to the same byte when the name is put in a URL, so the file stays readable.
/// </summary>
public static class HrefNames
{
    private const char EscapeBase = '\uF700';

    /// <summary>Percent-decodes one href segment. <paramref name="rawBytes"/>: chars up to U+00FF stand for raw bytes (page read as Latin-1).</summary>
    public static string DecodeSegment(string escaped, bool rawBytes)
    {
        var bytes = new ArrayBufferWriter<byte>(escaped.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < escaped.Length; i++)
        {
            char c = escaped[i];
            if (c == '%' && i + 2 < escaped.Length && IsHex(escaped[i + 1]) && IsHex(escaped[i + 2]))
            {
                bytes.Write([(byte)((Hex(escaped[i + 1]) << 4) | Hex(escaped[i + 2]))]);
                i += 2;
            }
            else if (c < 0x80 || (rawBytes && c <= 0xFF))
            {
                bytes.Write([(byte)c]);
            }
            else if (c >= EscapeBase + 0x80 && c <= EscapeBase + 0xFF)
            {
                bytes.Write([(byte)(c - EscapeBase)]);
            }
            else
            {
                int length = char.IsHighSurrogate(c) && i + 1 < escaped.Length ? 2 : 1;
                int written = Encoding.UTF8.GetBytes(escaped.AsSpan(i, length), utf8);
                bytes.Write(utf8[..written]);
                i += length - 1;
            }
        }
        return DecodeBytes(bytes.WrittenSpan);
    }

    /// <summary>UTF-8 decoding that keeps each invalid byte as an escape character instead of U+FFFD.</summary>
    public static string DecodeBytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out int consumed);
            if (status == OperationStatus.Done && !(rune.Value >= EscapeBase + 0x80 && rune.Value <= EscapeBase + 0xFF))
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (int i = 0; i < consumed; i++)
                    text.Append((char)(EscapeBase + bytes[i]));
            }
            bytes = bytes[consumed..];
        }
        return text.ToString();
    }

    /// <summary>Percent-encodes a decoded path ('/' kept as separator), escape characters back to their raw bytes.</summary>
    public static string EncodePath(string path)
    {
        var builder = new StringBuilder(path.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '/' || IsUnreserved(c))
            {
                builder.Append(c);
            }
            else if (c >= EscapeBase + 0x80 && c <= EscapeBase + 0xFF)
            {
                AppendByte(builder, (byte)(c - EscapeBase));
            }
            else
            {
                int length = char.IsHighSurrogate(c) && i + 1 < path.Length ? 2 : 1;
                int written = Encoding.UTF8.GetBytes(path.AsSpan(i, length), utf8);
                foreach (byte b in utf8[..written])
                    AppendByte(builder, b);
                i += length - 1;
            }
        }
        return builder.ToString();
    }

    private static void AppendByte(StringBuilder builder, byte b) => builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));

    private static bool IsUnreserved(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

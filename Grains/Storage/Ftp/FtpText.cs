using System.Text;
using System.Text.Unicode;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// How bytes on an FTP connection become text and back. Names are UTF-8 on modern servers (RFC 2640), but old servers
/// send whatever bytes the file system holds (Latin-1, CP1252): a line that is not valid UTF-8 is read as Latin-1, which
/// never fails and maps each byte to one character, so the original bytes can be rebuilt when the name is sent back.
/// </summary>
internal static class FtpText
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? StrictUtf8.GetString(bytes) : Encoding.Latin1.GetString(bytes);

    /// <summary>
    /// A path that holds characters above U+007F but none above U+00FF may have come from a Latin-1 listing line;
    /// such a path is tried again with Latin-1 bytes when the UTF-8 form is not found.
    /// </summary>
    public static bool HasLatin1Alternative(string path)
    {
        bool nonAscii = false;
        foreach (char c in path)
        {
            if (c > 0xFF)
                return false;
            if (c > 0x7F)
                nonAscii = true;
        }
        return nonAscii;
    }

    public static byte[] EncodeCommand(string line, bool latin1)
    {
        var encoding = latin1 ? Encoding.Latin1 : StrictUtf8;
        return encoding.GetBytes(line + "\r\n");
    }
}

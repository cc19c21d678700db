namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// Reads RFC 959 replies: "xyz text" on one line, or "xyz-text" … "xyz text" over several lines. Line length and line
/// count are bounded; anything that is not a reply is a protocol error.
/// </summary>
internal sealed class FtpReplyReader
{
    public const int MaxLineBytes = 8 * 1024;
    public const int MaxLines = 2_000;

    private readonly FtpLineReader _lines;

    public FtpReplyReader(Stream stream) => _lines = new FtpLineReader(stream, MaxLineBytes);

    public bool HasBufferedBytes => _lines.HasBufferedBytes;

    /// <summary>The first byte the server sent, or null before any: tells a TLS record or an SSH banner from an FTP reply.</summary>
    public byte? FirstByte => _lines.FirstByte;

    /// <summary>Reads one complete reply; throws <see cref="StorageException"/> (Transient) when the server closed the connection.</summary>
    public async ValueTask<FtpReply> ReadAsync(CancellationToken cancellationToken)
    {
        var first = await ReadTextLineAsync(cancellationToken).ConfigureAwait(false);
        if (!TryParseCode(first, out int code))
            throw new StorageException(StorageErrorKind.Protocol, $"The FTP server sent a line that is not a reply: '{Truncate(first)}'.");
        var lines = new List<string> { first };
        if (first.Length > 3 && first[3] == '-')
        {
            string terminator = first[..3];
            while (true)
            {
                if (lines.Count >= MaxLines)
                    throw new StorageException(StorageErrorKind.Protocol, $"The FTP server sent a reply of more than {MaxLines} lines.");
                var line = await ReadTextLineAsync(cancellationToken).ConfigureAwait(false);
                lines.Add(line);
                // The last line repeats the code followed by a space (or nothing); "xyz-" lines inside are continuation.
                if (line.StartsWith(terminator, StringComparison.Ordinal) && (line.Length == 3 || line[3] == ' '))
                    break;
            }
        }
        return new FtpReply(code, lines);
    }

    private async ValueTask<string> ReadTextLineAsync(CancellationToken cancellationToken)
    {
        var line = await _lines.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new StorageException(StorageErrorKind.Transient, "The FTP server closed the control connection.");
        return FtpText.Decode(line.Span);
    }

    private static bool TryParseCode(string line, out int code)
    {
        code = 0;
        if (line.Length < 3 || (line.Length > 3 && line[3] != ' ' && line[3] != '-'))
            return false;
        for (int i = 0; i < 3; i++)
        {
            if (line[i] is < '0' or > '9')
                return false;
            code = (code * 10) + (line[i] - '0');
        }
        return code is >= 100 and < 600;
    }

    internal static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "…";
}

using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// The parts of an HTTP/1.1 response head a pipelined request needs: status, how the body is framed (Content-Length or
/// chunked), Content-Range, the facts of a file (date, ETag, type) and whether the server closes the connection after
/// this response. Parsing is strict: anything it cannot vouch for leaves <see cref="Framed"/> false, and the caller then
/// drops the connection without reading the body.
/// </summary>
internal sealed record PipelinedResponseHead(int Status, bool Http10, long? ContentLength, bool Framed, bool Closes,
    long? RangeFrom, long? RangeTo, long? RangeLength, string? RetryAfter = null, DateTimeOffset? LastModified = null, string? ETag = null)
{
    /// <summary>The body comes in chunks (Transfer-Encoding: chunked, and nothing else), not with a Content-Length.</summary>
    public bool Chunked { get; init; }

    /// <summary>The Content-Type header as sent, or null.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Content-Encoding header as sent, or null (a listing must come uncompressed).</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>Parses the head (status line and header lines, without the blank line); null when it is not HTTP/1.x.</summary>
    public static PipelinedResponseHead? Parse(ReadOnlySpan<byte> head)
    {
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split("\r\n");
        string statusLine = lines[0];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal) || statusLine[8] != ' '
            || !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status)
            || (statusLine.Length > 12 && statusLine[12] != ' '))
            return null;
        bool http10 = statusLine[7] == '0';
        long? contentLength = null;
        bool framed = true;
        bool closes = http10;
        bool keepAlive = false;
        long? from = null, to = null, length = null;
        string? retryAfter = null;
        DateTimeOffset? lastModified = null;
        string? etag = null;
        string? contentType = null, contentEncoding = null;
        bool chunked = false;
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':');
            // Obsolete line folding or a line without a name: refuse rather than guess.
            if (colon <= 0 || line[0] is ' ' or '\t')
                return null;
            string name = line[..colon];
            string value = line[(colon + 1)..].Trim(' ', '\t');
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) || (contentLength is { } seen && seen != parsed))
                    framed = false;
                contentLength = parsed;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                // Chunked alone is read here; any other coding (or a second header) goes back to the standard handler.
                if (chunked || !value.Equals("chunked", StringComparison.OrdinalIgnoreCase))
                    framed = false;
                chunked = true;
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                foreach (string token in value.Split(',', StringSplitOptions.TrimEntries))
                {
                    closes |= token.Equals("close", StringComparison.OrdinalIgnoreCase);
                    keepAlive |= token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase);
                }
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                contentEncoding = contentEncoding is null ? value : contentEncoding + "," + value;
            }
            else if (name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase))
            {
                retryAfter = value;
            }
            else if (name.Equals("Last-Modified", StringComparison.OrdinalIgnoreCase))
            {
                // An HTTP-date as the standard handler reads it; an unreadable date is left out, not guessed.
                lastModified = DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
            }
            else if (name.Equals("ETag", StringComparison.OrdinalIgnoreCase))
            {
                etag = EntityTagHeaderValue.TryParse(value, out var tag) ? tag.ToString() : null;
            }
            else if (name.Equals("Content-Range", StringComparison.OrdinalIgnoreCase))
            {
                if (from is not null || !TryParseContentRange(value, out from, out to, out length))
                    framed = false;
            }
        }
        // An HTTP/1.0 server keeps the connection only when it says so; even then, one response is taken and the rest resent.
        if (http10 && keepAlive)
            closes = true;
        // Both a length and chunks is how requests are smuggled: not read at all.
        bool certain = framed && (chunked ? contentLength is null : contentLength is not null);
        return new PipelinedResponseHead(status, http10, contentLength, certain, closes, from, to, length, retryAfter, lastModified, etag)
        {
            Chunked = chunked,
            ContentType = contentType,
            ContentEncoding = contentEncoding,
        };
    }

    /// <summary>
    /// "bytes FROM-TO/LENGTH" or "bytes FROM-TO/*"; "bytes */LENGTH" (a 416) gives only the length. Parsed by the same
    /// <see cref="ContentRangeHeaderValue"/> the standard path's handler uses, so both paths accept the same headers.
    /// </summary>
    private static bool TryParseContentRange(string value, out long? from, out long? to, out long? length)
    {
        from = to = length = null;
        if (!ContentRangeHeaderValue.TryParse(value, out var range) || !string.Equals(range.Unit, "bytes", StringComparison.OrdinalIgnoreCase))
            return false;
        (from, to, length) = (range.From, range.To, range.Length);
        return range.HasRange || range.HasLength;
    }
}

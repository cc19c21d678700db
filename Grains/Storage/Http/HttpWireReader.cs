using System.Globalization;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Reads HTTP/1.1 responses off one <see cref="HttpWire"/>: heads up to <see cref="MaxHeadBytes"/>, bodies framed by
/// Content-Length or by chunks, never past what a caller allows. Bytes read past one response stay buffered for the next
/// (pipelined responses arrive back to back). Malformed framing throws <see cref="InvalidDataException"/>: the connection
/// is then out of step and closes.
/// </summary>
internal sealed class HttpWireReader
{
    /// <summary>Largest response head read; a bigger one is not parsed (the standard handler has the same 64 KB limit).</summary>
    internal const int MaxHeadBytes = 64 * 1024;

    /// <summary>Longest chunk-size or trailer line accepted.</summary>
    private const int MaxLineBytes = 1024;

    /// <summary>Most trailer lines after the last chunk.</summary>
    private const int MaxTrailerLines = 64;

    private readonly byte[] _receive = new byte[MaxHeadBytes];
    private byte[] _scratch = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>Bytes received and not part of any response read yet (none, on a connection in step and idle).</summary>
    public bool HasUnread => _end > _start;

    /// <summary>Reads up to the blank line ending a head; null when it is longer than <see cref="MaxHeadBytes"/> or not HTTP/1.x.</summary>
    public async Task<PipelinedResponseHead?> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        int scanned = _start;
        while (true)
        {
            int end = _receive.AsSpan(scanned, _end - scanned).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                int headEnd = scanned + end;
                var head = PipelinedResponseHead.Parse(_receive.AsSpan(_start, headEnd - _start));
                _start = headEnd + 4;
                return head;
            }
            scanned = Math.Max(_start, _end - 3) - _start;
            if (!await FillAsync(stream, cancellationToken).ConfigureAwait(false))
                return null;
            scanned += _start;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> body bytes into a buffer reused for the next response.</summary>
    public async Task<ReadOnlyMemory<byte>> ReadIntoScratchAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        if (_scratch.Length < count)
            _scratch = new byte[count];
        await ReadExactlyAsync(stream, _scratch.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        return _scratch.AsMemory(0, count);
    }

    /// <summary>
    /// Reads a framed body (Content-Length or chunked) into a new array. Null when it is longer than <paramref name="max"/>
    /// bytes: what was read of it is lost and the connection must close.
    /// </summary>
    public async Task<(byte[] Bytes, int Length)?> ReadBodyAsync(Stream stream, PipelinedResponseHead head, int max, CancellationToken cancellationToken)
    {
        if (!head.Chunked)
        {
            long declared = head.ContentLength!.Value;
            if (declared > max)
                return null;
            var bytes = new byte[declared];
            await ReadExactlyAsync(stream, bytes, cancellationToken).ConfigureAwait(false);
            return (bytes, bytes.Length);
        }

        var buffer = new byte[Math.Min(max, 16 * 1024)];
        int length = 0;
        while (true)
        {
            string line = await ReadLineAsync(stream, cancellationToken).ConfigureAwait(false);
            int extension = line.IndexOf(';');
            string digits = (extension >= 0 ? line[..extension] : line).Trim(' ', '\t');
            if (digits.Length is 0 or > 8 || !int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
                throw new InvalidDataException("A chunk size that is not a small hexadecimal number.");
            if (size == 0)
                break;
            if (size > max - length)
                return null;
            if (buffer.Length - length < size)
                Array.Resize(ref buffer, (int)Math.Min(max, Math.Max((long)buffer.Length * 2, (long)length + size)));
            await ReadExactlyAsync(stream, buffer.AsMemory(length, size), cancellationToken).ConfigureAwait(false);
            length += size;
            if ((await ReadLineAsync(stream, cancellationToken).ConfigureAwait(false)).Length != 0)
                throw new InvalidDataException("A chunk longer than its size.");
        }
        for (int trailers = 0; ; trailers++)
        {
            if (trailers > MaxTrailerLines)
                throw new InvalidDataException("Too many trailer lines after the last chunk.");
            if ((await ReadLineAsync(stream, cancellationToken).ConfigureAwait(false)).Length == 0)
                return (buffer, length);
        }
    }

    /// <summary>Forgets buffered bytes (a connection closed or about to close).</summary>
    public void Reset() => _start = _end = 0;

    private async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        int scanned = _start;
        while (true)
        {
            int end = _receive.AsSpan(scanned, _end - scanned).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                string line = System.Text.Encoding.Latin1.GetString(_receive, _start, scanned + end - _start);
                _start = scanned + end + 2;
                return line;
            }
            if (_end - _start > MaxLineBytes)
                throw new InvalidDataException("A chunk line longer than allowed.");
            scanned = Math.Max(_start, _end - 1) - _start;
            if (!await FillAsync(stream, cancellationToken).ConfigureAwait(false))
                throw new InvalidDataException("A chunk line longer than allowed.");
            scanned += _start;
        }
    }

    private async Task ReadExactlyAsync(Stream stream, Memory<byte> destination, CancellationToken cancellationToken)
    {
        int buffered = Math.Min(destination.Length, _end - _start);
        _receive.AsMemory(_start, buffered).CopyTo(destination);
        _start += buffered;
        int total = buffered;
        while (total < destination.Length)
        {
            int read = await stream.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new EndOfStreamException("The server closed the connection in the middle of a body.");
            total += read;
        }
    }

    /// <summary>Moves the unread bytes to the front and reads more after them; false when the buffer is full.</summary>
    private async Task<bool> FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }
        if (_end == _receive.Length)
            return false;
        int read = await stream.ReadAsync(_receive.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
            throw new EndOfStreamException("The server closed the connection.");
        _end += read;
        return true;
    }
}

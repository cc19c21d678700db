namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// Reads CRLF- (or bare LF-) terminated lines from a stream through one reusable buffer. A line longer than the bound is a
/// protocol error, so a hostile server can never make us buffer without limit.
/// </summary>
internal sealed class FtpLineReader
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    public FtpLineReader(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Max(maxLineBytes + 2, 16 * 1024)];
    }

    /// <summary>The first byte received on the stream, or null before any.</summary>
    public byte? FirstByte { get; private set; }

    /// <summary>Bytes received so far, including those not yet returned as lines.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>
    /// The next line without its terminator, or null at end of stream. A last line without terminator is returned as is.
    /// The returned memory is valid until the next call.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        int scanFrom = _start;
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (newline >= 0)
            {
                int lineEnd = newline > _start && _buffer[newline - 1] == '\r' ? newline - 1 : newline;
                if (lineEnd - _start > _maxLineBytes)
                    throw LineTooLong();
                var line = new ReadOnlyMemory<byte>(_buffer, _start, lineEnd - _start);
                _start = newline + 1;
                return line;
            }
            if (_end - _start > _maxLineBytes + 1)
                throw LineTooLong();
            if (_eof)
            {
                if (_start == _end)
                    return null;
                var last = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
                _start = _end;
                return last;
            }
            if (_start > 0)
            {
                // Slide the partial line to the front so the buffer can always hold one whole line.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            scanFrom = _end;
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                _eof = true;
            else if (BytesReceived == 0)
                FirstByte = _buffer[_end];
            _end += read;
            BytesReceived += read;
        }
    }

    /// <summary>True when bytes were received that no call has returned yet (a server talking out of turn).</summary>
    public bool HasBufferedBytes => _end > _start;

    private StorageException LineTooLong() => new(StorageErrorKind.Protocol,
        $"The FTP server sent a line longer than {_maxLineBytes} bytes.");
}

namespace Pcrs.Grains.Formats.Gml;

/// <summary>
/// A forward-only read stream over an <see cref="IRangeReader"/> that stops at a byte cap, so an XML reader can
/// stream a remote file without ever holding it whole.
/// </summary>
internal sealed class RangeReaderStream(IRangeReader file, long maxBytes, CancellationToken cancellationToken) : Stream
{
    private long _position;

    public long BytesRead { get; private set; }

    /// <summary>True when the cap stopped the stream before the end of the file.</summary>
    public bool HitCap { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        long remaining = maxBytes - _position;
        if (remaining <= 0)
        {
            HitCap = file.Length is not long length || length > _position;
            return 0;
        }

        if (buffer.Length > remaining)
        {
            buffer = buffer[..(int)remaining];
        }

        int n;
        try
        {
            n = await file.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Reading.ByteBudgetExceededException)
        {
            // The caller's per-file budget ends the stream like the cap does: counts become lower bounds.
            HitCap = true;
            return 0;
        }

        if (n > 0)
        {
            _position += n;
            BytesRead += n;
        }

        return Math.Max(n, 0);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
        ReadAsync(buffer.AsMemory(offset, count), token).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

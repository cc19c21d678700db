using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// A forward-only read of one file (RETR from an offset) that holds its pooled connection until disposed. Read to the
/// end, the transfer completes normally; disposed early, the transfer is aborted and the connection kept when it is
/// still in step. Each read must make progress within the operation timeout.
/// </summary>
internal sealed class FtpDownloadStream : Stream
{
    private readonly PooledConnection<FtpControlConnection> _rented;
    private readonly FtpControlConnection _connection;
    private readonly FtpTransfer _transfer;
    private readonly TimeSpan _timeout;
    private long _position;
    private bool _ended;
    private int _disposed;

    public FtpDownloadStream(PooledConnection<FtpControlConnection> rented, FtpTransfer transfer, TimeSpan timeout, long offset)
    {
        _rented = rented;
        _connection = rented.Connection;
        _transfer = transfer;
        _timeout = timeout;
        _position = offset;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_ended || buffer.Length == 0)
            return 0;
        using var timer = new FtpOperationTimer(_timeout, cancellationToken);
        try
        {
            int n = await _transfer.Data.ReadAsync(buffer, timer.Token).ConfigureAwait(false);
            if (n == 0)
            {
                _ended = true;
                await _transfer.CompleteAsync(timer.Token).ConfigureAwait(false);
            }
            _position += n;
            return n;
        }
        catch (Exception ex)
        {
            _connection.MarkBroken();
            var failure = FtpFailures.Translate(ex, timer, $"Downloading at offset {_position}");
            if (failure is null || ReferenceEquals(failure, ex))
                throw;
            throw failure;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (!_ended && _connection.IsUsable)
                await _transfer.AbortAsync(CancellationToken.None).ConfigureAwait(false);
            await _transfer.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await FtpStorageClient.ReturnAsync(_rented).ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Volatile.Read(ref _disposed) == 0)
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

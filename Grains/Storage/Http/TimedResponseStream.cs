namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// A download body that keeps its connection (and so the connection's lease) until disposed, and gives every read its own
/// idle timeout so a server that stops sending cannot hold a connection forever.
/// </summary>
internal sealed class TimedResponseStream(Stream inner, HttpResponseMessage response, TimeSpan readTimeout) : Stream
{
    private int _disposed;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(readTimeout);
        try
        {
            return await inner.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StorageException(StorageErrorKind.Transient, $"The server sent nothing for {readTimeout.TotalSeconds:0} s during a download.", e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorKind.Transient, "The connection broke during a download.", e);
        }
        catch (HttpRequestException e)
        {
            throw new StorageException(StorageErrorKind.Transient, "The connection broke during a download.", e);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await inner.DisposeAsync().ConfigureAwait(false);
        response.Dispose();
        GC.SuppressFinalize(this);
    }
}

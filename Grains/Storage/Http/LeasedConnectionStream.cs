using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// One TCP connection of the HTTP handler together with its connection lease: the lease is given back when the handler
/// closes the connection (idle timeout, error, or the client's disposal), not when a request ends. While nobody with
/// fewer leases waits, the connection lives on. When one does (<paramref name="owesTurn"/>) and this connection has
/// served its <paramref name="turn"/>, the next request that would reuse it is not sent: the connection is shut down,
/// the handler reads the end of stream a server sends when it closes an idle keep-alive connection, closes this one
/// (giving the lease back to the waiter) and resends the request on a new connection, which waits for a lease.
/// </summary>
/// <remarks>
/// The handler sends a request on a reused connection as a write that follows the previous response's reads (one HTTP/1.1
/// request at a time, and the scanner's requests have no body), so a write after a read is the start of a request. A TLS
/// handshake also writes after reading, once before the first request: only from the second such write on is one taken
/// for a request.
/// </remarks>
internal sealed class LeasedConnectionStream(NetworkStream inner, IAsyncDisposable lease, Func<bool>? owesTurn = null, TimeSpan turn = default) : Stream
{
    private const int WritesAfterReadBeforeRequests = 2;
    private readonly long _openedTicks = Environment.TickCount64;
    private readonly long _turnMs = (long)turn.TotalMilliseconds;
    private int _disposed;
    private int _writesAfterRead;
    private volatile bool _lastWasRead;
    private volatile bool _givenBack;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        _lastWasRead = true;
        return inner.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        _lastWasRead = true;
        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _lastWasRead = true;
        return inner.ReadAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _lastWasRead = true;
        return inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (!GivesBackInsteadOfWriting())
            inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!GivesBackInsteadOfWriting())
            inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        GivesBackInsteadOfWriting() ? Task.CompletedTask : inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        GivesBackInsteadOfWriting() ? ValueTask.CompletedTask : inner.WriteAsync(buffer, cancellationToken);

    public override void Flush()
    {
        if (!_givenBack)
            inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _givenBack ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    /// <summary>
    /// At the start of a request on this connection: when a holder with fewer leases waits and the turn is served, shuts the
    /// connection down instead of sending. Reads then end at once (a pending one included), as if the server had closed
    /// the idle connection, and the handler retries the request elsewhere; the bytes of the request are dropped.
    /// </summary>
    private bool GivesBackInsteadOfWriting()
    {
        if (_givenBack)
            return true;
        if (!_lastWasRead || owesTurn is null)
            return false;
        _lastWasRead = false;
        if (++_writesAfterRead < WritesAfterReadBeforeRequests || Environment.TickCount64 - _openedTicks < _turnMs || !owesTurn())
            return false;
        _givenBack = true;
        try
        {
            inner.Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: the handler sees that as well.
        }
        return true;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            // The handler disposes connections synchronously; giving the lease back must not block it.
            _ = lease.DisposeAsync().AsTask();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
        }
        GC.SuppressFinalize(this);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/>: takes a lease from the storage's <see cref="IConnectionLimiter"/>
/// for the new connection (held until the connection closes, so the limit counts TCP connections as the server sees
/// them, idle keep-alive ones included), then resolves the host through the address guard and connects to the checked
/// addresses only, so neither a redirect nor a DNS answer changing after the check reaches a refused network.
/// </summary>
/// <param name="guard">Checks every address before connecting.</param>
/// <param name="limiter">Grants the right to hold one connection; null connects without asking (no limit).</param>
/// <param name="connectTimeout">
/// Limit for the TCP connect itself, not for the wait for a lease: a silo may wait its turn while others use the limit.
/// </param>
/// <param name="turn">
/// How long a connection keeps its lease before giving it back to a holder with fewer leases that waits
/// (<see cref="IConnectionLimiter.OwesTurn"/>); while none waits, it is kept (see <see cref="LeasedConnectionStream"/>).
/// </param>
internal sealed class GuardedConnector(IAddressGuard guard, IConnectionLimiter? limiter = null, TimeSpan? connectTimeout = null, TimeSpan turn = default)
{
    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context.DnsEndPoint, rotateTurns: true, cancellationToken);

    /// <summary>
    /// Opens one leased, guarded TCP connection. <paramref name="rotateTurns"/> lets the stream give its lease back by
    /// itself at the start of a request (the handler's one-request-at-a-time pattern); a pipelined connection, which
    /// writes while responses are still arriving, rotates turns itself and passes false.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool rotateTurns, CancellationToken cancellationToken)
    {
        IAsyncDisposable? lease = null;
        if (limiter is not null)
        {
            using (Pooling.ConnectionTimeBudget.PauseCurrent())
                lease = await limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (connectTimeout is { } limit)
                timeout.CancelAfter(limit);
            NetworkStream stream;
            long connectStart = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                stream = await ConnectGuardedAsync(endpoint, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StorageException(StorageErrorKind.Transient,
                    $"Connecting to {endpoint.Host}:{endpoint.Port} timed out after {connectTimeout!.Value.TotalSeconds:0} s.", e);
            }
            // The same turn as the pool's connections (FTP, SFTP): at least ten connects long.
            var connectionTurn = Pooling.ConnectionTurn.Length(turn, System.Diagnostics.Stopwatch.GetElapsedTime(connectStart));
            return lease is null ? stream : new LeasedConnectionStream(stream, lease, rotateTurns ? () => limiter!.OwesTurn : null, connectionTurn);
        }
        catch
        {
            if (lease is not null)
                await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<NetworkStream> ConnectGuardedAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var addresses = await guard.ResolveAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new StorageException(StorageErrorKind.Transient,
            $"Could not connect to {endpoint.Host}:{endpoint.Port} ({last?.SocketErrorCode.ToString() ?? "no address"}).", last);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Opens TCP connections for the HTTP client: resolves the host through the address guard and connects to the checked
/// addresses only, so neither a redirect nor a DNS answer changing after the check reaches a refused network. For a host
/// other than the storage's own it also takes a lease from the storage's <see cref="IConnectionLimiter"/> for the new
/// connection (held until the connection closes, so the limit counts TCP connections as the server sees them).
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
    /// <summary>
    /// Opens one leased, guarded TCP connection (for hosts other than the storage's own, which redirects may name; the
    /// storage's own connections come from its pool, which holds their leases). <paramref name="rotateTurns"/> lets the
    /// stream give its lease back by itself at the start of a request (the handler's one-request-at-a-time pattern).
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
            long connectStart = System.Diagnostics.Stopwatch.GetTimestamp();
            var stream = await ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            // The same turn as the pool's connections: at least ten connects long.
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

    /// <summary>Opens one guarded TCP connection within the connect timeout, without a lease (the caller holds one).</summary>
    public async Task<NetworkStream> ConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (connectTimeout is { } limit)
            timeout.CancelAfter(limit);
        try
        {
            return await ConnectGuardedAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StorageException(StorageErrorKind.Transient,
                $"Connecting to {endpoint.Host}:{endpoint.Port} timed out after {connectTimeout!.Value.TotalSeconds:0} s.", e);
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

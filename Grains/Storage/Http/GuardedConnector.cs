using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host through the address guard and connects to
/// the checked addresses only, so neither a redirect nor a DNS answer changing after the check reaches a refused network.
/// </summary>
internal sealed class GuardedConnector(IAddressGuard guard)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
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

using System.Net.Security;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// One TCP connection to the storage's server as the one <see cref="Pooling.ConnectionPool{TConnection}"/> keeps it: the
/// guarded socket, TLS once a pipelined connection secured it, and the receive buffers that outlive each rental. The pool
/// holds its lease; pipelined connections rent it for listings, HEADs and ranged reads, the standard handler rents a
/// fresh (not yet secured) one for whatever the pipeline sends back to it.
/// </summary>
internal sealed class HttpWire(NetworkStream raw) : IAsyncDisposable
{
    /// <summary>The plain socket stream (the standard handler runs its own TLS over it).</summary>
    public NetworkStream Raw { get; } = raw;

    /// <summary>What HTTP is spoken on: <see cref="Raw"/>, or the TLS stream over it.</summary>
    public Stream Stream { get; private set; } = raw;

    /// <summary>TLS was negotiated on this connection: only a pipelined connection can use it again.</summary>
    public bool IsSecured => Stream is SslStream;

    /// <summary>Response framing over this connection, its buffers kept between rentals.</summary>
    public HttpWireReader Reader { get; } = new();

    /// <summary>Negotiates TLS over the connection (once).</summary>
    public async Task SecureAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        if (IsSecured)
            return;
        var tls = new SslStream(Raw, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        Stream = tls;
    }

    /// <summary>
    /// An idle connection is worth reusing while the server has not closed it: a readable socket with nothing to read is
    /// a closed one, and a plain one with bytes nobody asked for is out of step. (Over TLS a server may still send session
    /// tickets after the handshake, which are not a reason to reconnect.)
    /// </summary>
    public bool LooksReusable()
    {
        try
        {
            var socket = Raw.Socket;
            if (Reader.HasUnread || !socket.Connected)
                return false;
            if (!socket.Poll(0, SelectMode.SelectRead))
                return true;
            return IsSecured && socket.Available > 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        await Raw.DisposeAsync().ConfigureAwait(false);
    }
}

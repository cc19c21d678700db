using System.Net;
using System.Net.Sockets;

namespace Pcrs.TestSupport;

/// <summary>
/// A TCP relay on a loopback port to a server on this machine that holds every piece the server sends for
/// <see cref="Delay"/> before passing it on, as a distant server does. A protocol that waits for each reply (an FTP
/// control connection) then cannot go faster than one reply per delay on each connection, however fast the machine:
/// a test that must act while a scan still runs gets a floor under the scan's duration instead of a guess.
/// Only the relayed port is slowed: FTP data connections go straight to the server's passive ports.
/// </summary>
public sealed class LatencyRelay : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LatencyRelay(int targetPort, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _targetPort = targetPort;
        Delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>How long each piece the server sends is held.</summary>
    public TimeSpan Delay { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, both.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), both.Token);
            var down = CopyLateAsync(server.GetStream(), client.GetStream(), both.Token);
            // Either side closing ends both, as it would end the one connection a relay stands for.
            await Task.WhenAny(up, down);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task CopyLateAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await Task.Delay(Delay, cancellationToken);
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

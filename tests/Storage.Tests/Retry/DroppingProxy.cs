using System.Net;
using System.Net.Sockets;

namespace Pcrs.Storage.Tests.Retry;

/// <summary>
/// A loopback TCP proxy in front of a real peer that resets its first <c>drops</c> connections as soon as they are
/// accepted, then relays the rest byte for byte: a server's passing failure, seen through a real protocol exchange.
/// </summary>
internal sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;
    private int _toDrop;
    private int _dropped;
    private int _relayed;

    public DroppingProxy(int targetPort, int drops)
    {
        _targetPort = targetPort;
        _toDrop = drops;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections reset on arrival.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Connections relayed to the peer.</summary>
    public int Relayed => Volatile.Read(ref _relayed);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                if (Interlocked.Decrement(ref _toDrop) >= 0)
                {
                    client.LingerState = new LingerOption(true, 0); // close with RST, as a crashed or overloaded server does
                    client.Close();
                    Interlocked.Increment(ref _dropped);
                    continue;
                }
                Interlocked.Increment(ref _relayed);
                lock (_gate)
                    _relays.Add(RelayAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            await using var near = new NetworkStream(client, ownsSocket: true);
            await using var far = new NetworkStream(server, ownsSocket: false);
            var up = CopyThenShutAsync(near, server);
            var down = CopyThenShutAsync(far, client);
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            client.Dispose();
        }
    }

    private async Task CopyThenShutAsync(NetworkStream from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        to.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] relays;
        lock (_gate)
            relays = [.. _relays];
        await Task.WhenAll(relays);
        _stop.Dispose();
    }
}

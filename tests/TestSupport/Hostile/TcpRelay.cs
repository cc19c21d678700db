using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pcrs.TestSupport.Hostile;

/// <summary>
/// A TCP relay on a loopback port to a server on this machine, that a test cuts and restores: <see cref="Cut"/> closes
/// the listener and every relayed connection (clients then get "connection refused" and broken streams, as when the
/// server is down), <see cref="Restore"/> listens again on the same port. Lets a test take a dependency (PostgreSQL)
/// away from one process without stopping the shared server. <see cref="ResetNext"/> makes the next connections fail
/// once each (reset on arrival), as a crashed or overloaded server does, so a test sees a client try again.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private int _toReset;
    private int _reset;
    private int _relayed;

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        Listen(0);
        Port = ((IPEndPoint)_listener!.LocalEndpoint).Port;
    }

    public int Port { get; }

    public bool IsCut { get; private set; }

    /// <summary>Connections reset on arrival so far.</summary>
    public int ResetCount => Volatile.Read(ref _reset);

    /// <summary>Connections relayed to the server so far.</summary>
    public int RelayedCount => Volatile.Read(ref _relayed);

    /// <summary>Resets the next <paramref name="count"/> connections as soon as they are accepted; later ones are relayed.</summary>
    public void ResetNext(int count) => Volatile.Write(ref _toReset, count);

    /// <summary>Stops listening and closes every relayed connection.</summary>
    public void Cut()
    {
        IsCut = true;
        _stop.Cancel();
        _listener?.Stop();
        foreach (var client in _open.Keys)
            client.Dispose();
        _open.Clear();
    }

    /// <summary>Listens again on <see cref="Port"/>.</summary>
    public void Restore()
    {
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        Listen(Port);
        IsCut = false;
    }

    private void Listen(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (Interlocked.Decrement(ref _toReset) >= 0)
            {
                client.Client.LingerState = new LingerOption(true, 0); // closes with RST
                client.Dispose();
                Interlocked.Increment(ref _reset);
                continue;
            }
            Interlocked.Exchange(ref _toReset, 0);
            Interlocked.Increment(ref _relayed);
            _ = RelayAsync(client, stop);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken stop)
    {
        var server = new TcpClient();
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, stop);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var up = client.GetStream().CopyToAsync(server.GetStream(), both.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), both.Token);
            await Task.WhenAny(up, down);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(server, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}

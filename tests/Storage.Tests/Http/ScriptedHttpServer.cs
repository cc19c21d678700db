using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pcrs.Storage.Tests.Http;

/// <summary>One request as the scripted server saw it: method, raw request target and headers (names lower-cased).</summary>
internal sealed record ScriptedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A tiny HTTP/1.1 server on a loopback ephemeral port whose every answer is written by the test, byte by byte, so it
/// can misbehave exactly as needed (close mid-body, never answer, ignore Range) and count what it really sent.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    public delegate Task<bool> Handler(ScriptedRequest request, ScriptedConnection connection, CancellationToken cancellationToken);

    private readonly TcpListener _listener;
    private readonly Handler _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private long _bytesSent;

    public ScriptedHttpServer(Handler handler, string address = "127.0.0.1")
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Parse(address), 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Address => ((IPEndPoint)_listener.LocalEndpoint).Address.ToString();
    public string Url => $"http://{Address}:{Port}/";
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public List<ScriptedRequest> Requests { get; } = [];
    public int ConnectionCount { get; private set; }

    internal void CountSent(int bytes) => Interlocked.Add(ref _bytesSent, bytes);

    /// <summary>Waits until every connection handler has finished (the client closed or the script ended).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        Task[] running;
        lock (_connections)
            running = [.. _connections];
        await Task.WhenAll(running).WaitAsync(timeout);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
            lock (_connections)
            {
                ConnectionCount++;
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var connection = new ScriptedConnection(client.GetStream(), this);
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var request = await connection.ReadRequestAsync(_stop.Token);
                    if (request is null)
                        return;
                    lock (Requests)
                        Requests.Add(request);
                    if (!await _handler(request, connection, _stop.Token))
                        return;
                }
            }
            catch (IOException)
            {
                // The client hung up: expected when it cuts a read short.
            }
            catch (SocketException)
            {
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
            await DrainAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Shutting down: handlers cut off by the stop token are fine.
        }
        _stop.Dispose();
    }
}

/// <summary>One client connection of the scripted server.</summary>
internal sealed class ScriptedConnection(NetworkStream stream, ScriptedHttpServer server)
{
    public NetworkStream Stream => stream;

    public async Task<ScriptedRequest?> ReadRequestAsync(CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 65536)
        {
            int read = await stream.ReadAsync(one, cancellationToken);
            if (read == 0)
                return null;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
                break;
        }
        var lines = Encoding.Latin1.GetString(head.ToArray()).Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return new ScriptedRequest(parts[0], parts.Length > 1 ? parts[1] : "/", headers);
    }

    public async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken);
        server.CountSent(bytes.Length);
    }

    public Task WriteHeadAsync(int status, string reason, long? contentLength, CancellationToken cancellationToken, params string[] headers)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {reason}\r\n");
        if (contentLength is not null)
            text.Append($"Content-Length: {contentLength}\r\n");
        foreach (string header in headers)
            text.Append(header).Append("\r\n");
        text.Append("\r\n");
        return WriteAsync(Encoding.Latin1.GetBytes(text.ToString()), cancellationToken);
    }

    public async Task WriteResponseAsync(int status, string reason, byte[] body, CancellationToken cancellationToken, params string[] headers)
    {
        await WriteHeadAsync(status, reason, body.Length, cancellationToken, headers);
        await WriteAsync(body, cancellationToken);
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pcrs.TestSupport.Hostile;

/// <summary>What a hostile HTTP server answers to one GET or HEAD: status, extra headers, body.</summary>
public sealed record HostileAnswer(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "text/html",
    byte[]? Bytes = null, TimeSpan? Delay = null)
{
    /// <summary>
    /// An nginx-like autoindex page listing <paramref name="names"/> (directories end with '/'); files show the size
    /// <paramref name="sizeOf"/> gives (1234 when none).
    /// </summary>
    public static HostileAnswer Listing(string path, IEnumerable<string> names, Func<string, long>? sizeOf = null)
    {
        var html = new StringBuilder($"<html><head><title>Index of {WebUtility.HtmlEncode(path)}</title></head><body><h1>Index of {WebUtility.HtmlEncode(path)}</h1><hr><pre><a href=\"../\">../</a>\n");
        foreach (var name in names)
        {
            string href = Uri.EscapeDataString(name.TrimEnd('/')) + (name.EndsWith('/') ? "/" : "");
            html.Append("<a href=\"").Append(href).Append("\">").Append(WebUtility.HtmlEncode(name)).Append("</a>")
                .Append("                                    06-Dec-2026 10:00 ")
                .Append((name.EndsWith('/') ? "-" : (sizeOf?.Invoke(name) ?? 1234).ToString(System.Globalization.CultureInfo.InvariantCulture)).PadLeft(19)).Append('\n');
        }
        return new HostileAnswer(200, html.Append("</pre><hr></body></html>\n").ToString());
    }

    /// <summary>A file's bytes, whole (the server ignores Range, as some do: the scanner cuts the body).</summary>
    public static HostileAnswer File(byte[] bytes) => new(200, ContentType: "application/octet-stream", Bytes: bytes);

    public static HostileAnswer Redirect(string location) => new(302, "", new Dictionary<string, string> { ["Location"] = location });
}

/// <summary>
/// A scripted HTTP/1.1 server on a loopback ephemeral port whose answers are computed per request path by the test
/// (endless trees, pages that repeat, redirects to a parent…). One request per connection (<c>Connection: close</c>),
/// and a log of every request with the time it arrived, so a test can tell when the scanner stops calling.
/// </summary>
public sealed class HostileHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, HostileAnswer> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="answer">The answer to each request path (decoded).</param>
    /// <param name="port">0 for an ephemeral port; a port of a server that vanished, to bring "the same server" back.</param>
    public HostileHttpServer(Func<string, HostileAnswer> answer, int port = 0)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The server vanishes: it stops listening (new connections are refused) and answers nothing more.</summary>
    public void Vanish()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    /// <summary>Decoded request paths with their arrival time (UTC), in arrival order.</summary>
    public ConcurrentQueue<(DateTime At, string Method, string Path)> Log { get; } = new();

    public int RequestCount => Log.Count;

    /// <summary>Arrival time of the last request, or null if none came.</summary>
    public DateTime? LastRequestAt => Log.IsEmpty ? null : Log.Last().At;

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
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var owned = client;
        try
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0 || head.Length > 64 * 1024)
                    return;
                head.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
            var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
            string method = requestLine[0], target = requestLine.Length > 1 ? requestLine[1] : "/";
            string path = Uri.UnescapeDataString(target.Split('?')[0]);
            Log.Enqueue((DateTime.UtcNow, method, path));
            HostileAnswer answer;
            try
            {
                answer = _answer(path);
            }
            catch (Exception e)
            {
                answer = new HostileAnswer(500, e.Message, ContentType: "text/plain");
            }
            if (answer.Delay is { } delay)
                await Task.Delay(delay, _stop.Token); // a slow server: the answer comes after this pause
            var body = answer.Bytes ?? Encoding.UTF8.GetBytes(answer.Body);
            var response = new StringBuilder()
                .Append("HTTP/1.1 ").Append(answer.Status).Append(' ').Append(answer.Status < 400 ? "OK" : "Error").Append("\r\n")
                .Append("Content-Type: ").Append(answer.ContentType).Append(answer.Bytes is null ? "; charset=utf-8" : "").Append("\r\n")
                .Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n");
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
                response.Append(name).Append(": ").Append(value).Append("\r\n");
            await stream.WriteAsync(Encoding.Latin1.GetBytes(response.Append("\r\n").ToString()), _stop.Token);
            if (method != "HEAD")
                await stream.WriteAsync(body, _stop.Token);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}

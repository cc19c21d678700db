using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pcrs.TestSupport.Hostile;

/// <summary>What a hostile HTTP server answers to one GET or HEAD: status, extra headers, body.</summary>
public sealed record HostileAnswer(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "text/html")
{
    /// <summary>An nginx-like autoindex page listing <paramref name="names"/> (directories end with '/').</summary>
    public static HostileAnswer Listing(string path, IEnumerable<string> names)
    {
        var html = new StringBuilder($"<html><head><title>Index of {WebUtility.HtmlEncode(path)}</title></head><body><h1>Index of {WebUtility.HtmlEncode(path)}</h1><hr><pre><a href=\"../\">../</a>\n");
        foreach (var name in names)
        {
            string href = Uri.EscapeDataString(name.TrimEnd('/')) + (name.EndsWith('/') ? "/" : "");
            html.Append("<a href=\"").Append(href).Append("\">").Append(WebUtility.HtmlEncode(name)).Append("</a>")
                .Append(name.EndsWith('/') ? "                                    06-Dec-2026 10:00                   -\n" : "                                    06-Dec-2026 10:00                1234\n");
        }
        return new HostileAnswer(200, html.Append("</pre><hr></body></html>\n").ToString());
    }

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

    public HostileHttpServer(Func<string, HostileAnswer> answer)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

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
            var body = Encoding.UTF8.GetBytes(answer.Body);
            var response = new StringBuilder()
                .Append("HTTP/1.1 ").Append(answer.Status).Append(' ').Append(answer.Status < 400 ? "OK" : "Error").Append("\r\n")
                .Append("Content-Type: ").Append(answer.ContentType).Append("; charset=utf-8\r\n")
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

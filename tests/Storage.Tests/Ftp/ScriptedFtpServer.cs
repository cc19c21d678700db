using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>What the scripted server does; each knob reproduces one misbehaviour seen in the field.</summary>
internal sealed class ScriptedFtpBehaviour
{
    /// <summary>Raw LIST lines per directory (decoded paths as Latin-1 strings of the raw bytes); missing: 550.</summary>
    public Dictionary<string, List<byte[]>> Directories { get; } = new(StringComparer.Ordinal);

    /// <summary>File contents per path (Latin-1 string of the raw bytes of the path).</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Sessions allowed at once; the next one gets "421 Too many connections" and is closed.</summary>
    public int? MaxSessions { get; init; }

    /// <summary>Accept connections and never send a byte.</summary>
    public bool Silent { get; init; }

    /// <summary>Log in normally, then never answer LIST/MLSD/RETR.</summary>
    public bool SilentAfterLogin { get; init; }

    /// <summary>Send this many listing lines, then drop the data and control connections without a final reply.</summary>
    public int? DropListingAfterLines { get; init; }

    /// <summary>Refuse EPSV (as old servers do) and announce this address in PASV replies.</summary>
    public string? PasvOnlyWithAddress { get; init; }

    public string Password { get; init; } = "secret-pass";

    /// <summary>Answer REST with 502, as servers without restart support do.</summary>
    public bool RefuseRest { get; init; }

    /// <summary>
    /// Hold the reply to these commands (e.g. REST, NOOP) until the next command has arrived: only a client that sends
    /// the next command without waiting for the reply gets through; one that waits hangs until its timeout.
    /// </summary>
    public HashSet<string> ReplyOnlyAfterNextCommand { get; } = new(StringComparer.Ordinal);

    /// <summary>Say "421 Timeout" and close a session that sends no command for this long (servers' idle timeout).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>
    /// The first this-many sessions die on EPSV as vsftpd's do when no passive port can be bound: "500 OOPS:
    /// vsf_sysutil_bind" and its helper's "500 OOPS: priv_sock_get_int", then the connection closes.
    /// </summary>
    public int OopsOnEpsvSessions { get; init; }

    /// <summary>After a completed LIST, vsftpd's dying line follows the 226 in the same write, then the connection closes.</summary>
    public bool OopsAfterListing { get; init; }

    /// <summary>Adds a directory listing built from LIST lines given as raw bytes.</summary>
    public void AddDirectory(string path, IEnumerable<byte[]> lines) => Directories[path] = [.. lines];

    public static string Key(byte[] rawPath) => Encoding.Latin1.GetString(rawPath);
}

/// <summary>
/// A small FTP server on 127.0.0.1 (ephemeral ports), scripted to misbehave: too many connections, silence, a listing cut
/// short, non-UTF-8 names, PASV replies naming another host. Commands are read as Latin-1 so any byte round-trips.
/// </summary>
internal sealed class ScriptedFtpServer : IAsyncDisposable
{
    private readonly ScriptedFtpBehaviour _behaviour;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _acceptLoop;
    private int _active;

    public ScriptedFtpServer(ScriptedFtpBehaviour behaviour)
    {
        _behaviour = behaviour;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(100);
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every command's verb as it arrived, all sessions together (for tests of what a client sends ahead).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Verbs { get; } = new();

    public int SessionsAccepted;
    public int SessionsRefused;
    public int EpsvCommands;
    public int PasvCommands;
    public int MaxActiveSessions;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_sessions)
                _sessions.Add(Task.Run(() => SessionAsync(client)));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        if (_behaviour.Silent)
        {
            await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        int active = Interlocked.Increment(ref _active);
        try
        {
            if (_behaviour.MaxSessions is { } max && active > max)
            {
                Interlocked.Increment(ref SessionsRefused);
                await SendAsync(stream, $"421 Too many connections ({max}) from this IP");
                return;
            }
            int session = Interlocked.Increment(ref SessionsAccepted);
            lock (_sessions)
                MaxActiveSessions = Math.Max(MaxActiveSessions, active);
            await RunSessionAsync(stream, session);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Client went away, or the script dropped the connection.
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task RunSessionAsync(NetworkStream stream, int session)
    {
        var reader = new StreamReader(stream, Encoding.Latin1);
        string cwd = "/";
        long rest = 0;
        bool loggedIn = false;
        TcpListener? passive = null;
        await SendAsync(stream, "220 scripted server ready");
        string? held = null;
        while (true)
        {
            string? line;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                if (_behaviour.IdleTimeout is { } idleTimeout)
                    idle.CancelAfter(idleTimeout);
                try
                {
                    line = await reader.ReadLineAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    await SendAsync(stream, "421 Timeout.");
                    return;
                }
            }
            if (line is null)
                return;
            if (held is not null)
            {
                await SendAsync(stream, held);
                held = null;
            }
            int space = line.IndexOf(' ');
            string verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
            string arg = space < 0 ? "" : line[(space + 1)..];
            Verbs.Enqueue(verb);
            string Resolve(string p) => p.StartsWith('/') ? p : (cwd == "/" ? "/" + p : cwd + "/" + p);
            if (loggedIn && _behaviour.SilentAfterLogin && verb is "LIST" or "MLSD" or "RETR")
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            switch (verb)
            {
                case "USER": await SendAsync(stream, "331 Password required"); break;
                case "PASS":
                    loggedIn = arg == _behaviour.Password;
                    await SendAsync(stream, loggedIn ? "230 Logged in" : "530 Login incorrect.");
                    break;
                case "FEAT": await SendAsync(stream, "211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n211 End"); break;
                case "NOOP" when _behaviour.ReplyOnlyAfterNextCommand.Contains("NOOP"):
                    held = "200 OK";
                    break;
                case "TYPE" or "NOOP" or "OPTS": await SendAsync(stream, "200 OK"); break;
                case "CWD":
                    if (_behaviour.Directories.ContainsKey(Resolve(arg)))
                    {
                        cwd = Resolve(arg);
                        if (_behaviour.ReplyOnlyAfterNextCommand.Contains("CWD"))
                            held = "250 OK";
                        else
                            await SendAsync(stream, "250 OK");
                    }
                    else
                    {
                        await SendAsync(stream, "550 No such directory.");
                    }
                    break;
                case "EPSV" when _behaviour.PasvOnlyWithAddress is not null:
                    await SendAsync(stream, "502 EPSV not implemented");
                    break;
                case "EPSV" when session <= _behaviour.OopsOnEpsvSessions:
                    Interlocked.Increment(ref EpsvCommands);
                    await SendAsync(stream, "500 OOPS: vsf_sysutil_bind\r\n500 OOPS: priv_sock_get_int");
                    return;
                case "EPSV" or "PASV":
                    if (verb == "EPSV")
                        Interlocked.Increment(ref EpsvCommands);
                    else
                        Interlocked.Increment(ref PasvCommands);
                    passive?.Stop();
                    passive = new TcpListener(IPAddress.Loopback, 0);
                    passive.Start(1);
                    int port = ((IPEndPoint)passive.LocalEndpoint).Port;
                    await SendAsync(stream, verb == "EPSV"
                        ? $"229 Entering Extended Passive Mode (|||{port}|)"
                        : $"227 Entering Passive Mode ({(_behaviour.PasvOnlyWithAddress ?? "127.0.0.1").Replace('.', ',')},{port / 256},{port % 256})");
                    break;
                case "REST" when _behaviour.RefuseRest:
                    await SendAsync(stream, "502 REST not implemented.");
                    break;
                case "REST":
                    rest = long.Parse(arg, CultureInfo.InvariantCulture);
                    if (_behaviour.ReplyOnlyAfterNextCommand.Contains("REST"))
                        held = $"350 Restarting at {rest}";
                    else
                        await SendAsync(stream, $"350 Restarting at {rest}");
                    break;
                case "LIST":
                    if (passive is null || !_behaviour.Directories.TryGetValue(arg.Length == 0 ? cwd : Resolve(arg), out var lines))
                    {
                        await SendAsync(stream, "550 No such directory.");
                        break;
                    }
                    await SendAsync(stream, "150 Here comes the directory listing.");
                    using (var data = await passive.AcceptTcpClientAsync(_stop.Token))
                    {
                        var dataStream = data.GetStream();
                        int sent = 0;
                        foreach (var l in lines)
                        {
                            if (_behaviour.DropListingAfterLines is { } drop && sent == drop)
                            {
                                data.Client.Close();
                                return; // drops the control connection too
                            }
                            await dataStream.WriteAsync(l, _stop.Token);
                            await dataStream.WriteAsync("\r\n"u8.ToArray(), _stop.Token);
                            sent++;
                        }
                    }
                    if (_behaviour.OopsAfterListing)
                    {
                        await SendAsync(stream, "226 Directory send OK.\r\n500 OOPS: priv_sock_get_int");
                        return;
                    }
                    await SendAsync(stream, "226 Directory send OK.");
                    break;
                case "SIZE" or "MDTM":
                    if (_behaviour.Files.TryGetValue(Resolve(arg), out var sized))
                        await SendAsync(stream, verb == "SIZE" ? $"213 {sized.Length}" : "213 20261129105953");
                    else
                        await SendAsync(stream, "550 Could not get file size.");
                    break;
                case "RETR":
                    if (passive is null || !_behaviour.Files.TryGetValue(Resolve(arg), out var content))
                    {
                        await SendAsync(stream, "550 Failed to open file.");
                        rest = 0;
                        break;
                    }
                    await SendAsync(stream, "150 Opening BINARY mode data connection.");
                    bool complete = true;
                    using (var data = await passive.AcceptTcpClientAsync(_stop.Token))
                    {
                        try
                        {
                            await data.GetStream().WriteAsync(content.AsMemory((int)Math.Min(rest, content.Length)), _stop.Token);
                        }
                        catch (IOException)
                        {
                            complete = false;
                        }
                    }
                    rest = 0;
                    await SendAsync(stream, complete ? "226 Transfer complete." : "426 Failure writing network stream.");
                    break;
                case "ABOR": await SendAsync(stream, "225 No transfer to ABOR."); break;
                case "QUIT":
                    await SendAsync(stream, "221 Goodbye.");
                    return;
                default: await SendAsync(stream, "502 Command not implemented."); break;
            }
        }
    }

    private async Task SendAsync(NetworkStream stream, string reply) =>
        await stream.WriteAsync(Encoding.Latin1.GetBytes(reply + "\r\n"), _stop.Token);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        Task[] sessions;
        lock (_sessions)
            sessions = [.. _sessions];
        await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}

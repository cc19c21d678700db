using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pcrs.TestSupport.Hostile;

/// <summary>
/// A scripted FTP server on a loopback ephemeral port (plain FTP, any user and password) whose answers are computed per
/// path by the test: endless or huge generated trees, over-long names, directories that list themselves, and the
/// failures of a broken server (421 and 5xx replies, replies that never end, silence, data connections dropped mid-way).
/// It speaks what the project's FTP client uses: FEAT (MLST, UTF8), EPSV and PASV, MLSD or LIST after CWD, MLST, SIZE,
/// MDTM, REST and RETR, ABOR, NOOP. Commands are read one after the other, so pipelined commands are answered in order.
/// Every command is logged with its arrival time, so a test can tell what the scanner asked and when it stopped.
/// </summary>
public sealed class HostileFtpServer : IAsyncDisposable
{
    /// <summary>A client that never opens the data connection it asked for is given up after this long (then 425).</summary>
    private static readonly TimeSpan DataAcceptTimeout = TimeSpan.FromSeconds(60);

    private static readonly DateTime Modified = new(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc);

    private readonly TcpListener _listener;
    private readonly Func<string, HostileFtpAnswer> _answer;
    private readonly bool _machineListing;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _open;

    /// <param name="answer">The answer for each absolute path a command names.</param>
    /// <param name="machineListing">Advertise MLST/MLSD (true) or only LIST in the Unix format (false).</param>
    public HostileFtpServer(Func<string, HostileFtpAnswer> answer, bool machineListing = true)
    {
        _answer = answer;
        _machineListing = machineListing;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Commands received (the verb and its argument; PASS masked), with their arrival time (UTC), in order.</summary>
    public ConcurrentQueue<(DateTime At, string Command)> Log { get; } = new();

    /// <summary>Listings sent or refused (MLSD and LIST commands received).</summary>
    public int Listings => Log.Count(c => c.Command.StartsWith("MLSD", StringComparison.Ordinal) || c.Command.StartsWith("LIST", StringComparison.Ordinal));

    /// <summary>Control connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

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
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        Interlocked.Increment(ref _open);
        using var owned = client;
        var session = new Session(client.GetStream());
        try
        {
            await session.ReplyAsync("220 Hostile FTP ready.", _stop.Token);
            while (await session.ReadCommandAsync(_stop.Token) is { } line)
            {
                Log.Enqueue((DateTime.UtcNow, line.StartsWith("PASS ", StringComparison.OrdinalIgnoreCase) ? "PASS ***" : line));
                if (!await HandleAsync(session, line))
                    return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            session.DataListener?.Stop();
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Answers one command; false once the control connection is to be closed.</summary>
    private async Task<bool> HandleAsync(Session session, string line)
    {
        var token = _stop.Token;
        int space = line.IndexOf(' ');
        string verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        string argument = space < 0 ? "" : line[(space + 1)..];
        string path = Absolute(session.Directory, argument);
        switch (verb)
        {
            case "USER":
                await session.ReplyAsync("331 Password please.", token);
                return true;
            case "PASS":
                await session.ReplyAsync("230 Logged in.", token);
                return true;
            case "FEAT":
                await session.ReplyAsync(_machineListing
                    ? "211-Features:\r\n MLST type*;size*;modify*;\r\n MLSD\r\n UTF8\r\n SIZE\r\n MDTM\r\n EPSV\r\n REST STREAM\r\n211 End"
                    : "211-Features:\r\n UTF8\r\n SIZE\r\n MDTM\r\n EPSV\r\n REST STREAM\r\n211 End", token);
                return true;
            case "OPTS" or "TYPE" or "NOOP" or "ABOR":
                await session.ReplyAsync("200 OK.", token);
                return true;
            case "PWD":
                await session.ReplyAsync($"257 \"{session.Directory}\"", token);
                return true;
            case "QUIT":
                await session.ReplyAsync("221 Bye.", token);
                return false;
            case "REST":
                session.Offset = long.Parse(argument, NumberStyles.None, CultureInfo.InvariantCulture);
                await session.ReplyAsync("350 Restarting.", token);
                return true;
            case "EPSV" or "PASV":
                session.DataListener?.Stop();
                session.DataListener = new TcpListener(IPAddress.Loopback, 0);
                session.DataListener.Start();
                int port = ((IPEndPoint)session.DataListener.LocalEndpoint).Port;
                await session.ReplyAsync(verb == "EPSV"
                    ? $"229 Entering Extended Passive Mode (|||{port}|)"
                    : $"227 Entering Passive Mode (127,0,0,1,{port / 256},{port % 256})", token);
                return true;
        }

        var answer = _answer(path);
        if (answer.Delay is { } delay)
            await Task.Delay(delay, token);
        switch (answer.Behaviour)
        {
            case HostileFtpBehaviour.Stall:
                await Task.Delay(Timeout.Infinite, token);
                return false;
            case HostileFtpBehaviour.EndlessReply:
                // A reply's lines until the client hangs up: each line is short, the reply has no end. Lines go out 64 at a
                // time, so that a loaded machine sends them faster than any operation timeout.
                for (long i = 0; ; i += 64)
                    await session.ReplyAsync(string.Join("\r\n", Enumerable.Range(0, 64).Select(n => $"550-Line {i + n} of a reply that never ends.")), token);
        }
        if (answer.IsFailure && verb is not ("MLSD" or "LIST" or "RETR"))
            return await FailAsync(session, answer);

        switch (verb)
        {
            case "CWD":
                if (answer.Entries is null)
                    return await FailAsync(session, HostileFtpAnswer.Failure(550, "Not a directory."));
                session.Directory = path;
                await session.ReplyAsync("250 Directory changed.", token);
                return true;
            case "SIZE" or "MDTM":
                if (answer.Bytes is null)
                    return await FailAsync(session, HostileFtpAnswer.Failure(550, "Not a plain file."));
                await session.ReplyAsync(verb == "SIZE" ? $"213 {answer.Bytes.Length}" : $"213 {Modified:yyyyMMddHHmmss}", token);
                return true;
            case "MLST":
                if (answer.Entries is null && answer.Bytes is null)
                    return await FailAsync(session, HostileFtpAnswer.Missing);
                string facts = answer.Bytes is { } bytes ? $"type=file;size={bytes.Length};" : "type=dir;";
                await session.ReplyAsync($"250-Listing {path}\r\n {facts}modify={Modified:yyyyMMddHHmmss}; {path}\r\n250 End.", token);
                return true;
            case "MLSD" or "LIST":
                return await TransferAsync(session, answer, verb == "MLSD", retr: false);
            case "RETR":
                return await TransferAsync(session, answer, machine: false, retr: true);
            default:
                await session.ReplyAsync("502 Command not implemented.", token);
                return true;
        }
    }

    /// <summary>A listing or a file over the data connection the last EPSV/PASV opened.</summary>
    private async Task<bool> TransferAsync(Session session, HostileFtpAnswer answer, bool machine, bool retr)
    {
        var token = _stop.Token;
        long offset = session.Offset;
        session.Offset = 0;
        if (session.DataListener is not { } listener)
        {
            await session.ReplyAsync("425 Use EPSV or PASV first.", token);
            return true;
        }
        session.DataListener = null;
        using var _ = new ListenerStop(listener);
        if (answer.IsFailure)
            return await FailAsync(session, answer);
        if (retr ? answer.Bytes is null : answer.Entries is null)
            return await FailAsync(session, HostileFtpAnswer.Failure(550, retr ? "Not a plain file." : "Not a directory."));

        using var accept = CancellationTokenSource.CreateLinkedTokenSource(token);
        accept.CancelAfter(DataAcceptTimeout);
        TcpClient data;
        try
        {
            data = await listener.AcceptTcpClientAsync(accept.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            await session.ReplyAsync("425 No data connection.", token);
            return true;
        }
        using (data)
        {
            await session.ReplyAsync("150 Opening data connection.", token);
            var stream = data.GetStream();
            try
            {
                if (retr)
                {
                    var bytes = answer.Bytes!;
                    if (offset < bytes.Length)
                        await stream.WriteAsync(bytes.AsMemory((int)offset), token);
                }
                else
                {
                    int sent = 0;
                    var buffer = new StringBuilder();
                    foreach (var entry in answer.Entries!)
                    {
                        if (answer.Behaviour == HostileFtpBehaviour.DropData && sent == answer.DropAfterEntries)
                        {
                            await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()), token);
                            data.Client.LingerState = new LingerOption(true, 0); // a reset, not an orderly end
                            data.Close();
                            await session.ReplyAsync("426 Connection closed; transfer aborted.", token);
                            return true;
                        }
                        buffer.Append(machine ? MachineLine(entry) : UnixLine(entry)).Append("\r\n");
                        sent++;
                        if (buffer.Length >= 64 * 1024)
                        {
                            await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()), token);
                            buffer.Clear();
                        }
                    }
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(buffer.ToString()), token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // The client closed the data connection early (a header read cut short, then ABOR).
                await session.ReplyAsync("426 Transfer aborted.", token);
                return true;
            }
        }
        await session.ReplyAsync("226 Transfer complete.", token);
        return true;
    }

    private async Task<bool> FailAsync(Session session, HostileFtpAnswer answer)
    {
        await session.ReplyAsync($"{answer.Code} {answer.Message}", _stop.Token);
        return answer.Code != 421; // 421: the server closes the control connection
    }

    private static string MachineLine(HostileFtpEntry entry) => entry.Directory
        ? $"type=dir;modify={Modified:yyyyMMddHHmmss}; {entry.Name}"
        : $"type=file;size={entry.Size};modify={Modified:yyyyMMddHHmmss}; {entry.Name}";

    private static string UnixLine(HostileFtpEntry entry) => string.Create(CultureInfo.InvariantCulture,
        $"{(entry.Directory ? "drwxr-xr-x" : "-rw-r--r--")}    1 ftp      ftp      {entry.Size,12} Dec 06 10:00 {entry.Name}");

    private static string Absolute(string directory, string argument)
    {
        if (argument.Length == 0)
            return directory;
        string path = argument.StartsWith('/') ? argument : directory.TrimEnd('/') + "/" + argument;
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private readonly struct ListenerStop(TcpListener listener) : IDisposable
    {
        public void Dispose() => listener.Stop();
    }

    /// <summary>One control connection: its reader, its current directory, a pending REST offset and data listener.</summary>
    private sealed class Session(NetworkStream stream)
    {
        /// <summary>A command line longer than this is not FTP: the connection is closed.</summary>
        private const int MaxCommandBytes = 64 * 1024;

        private readonly byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public string Directory { get; set; } = "/";

        public long Offset { get; set; }

        public TcpListener? DataListener { get; set; }

        public async Task ReplyAsync(string reply, CancellationToken token) =>
            await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), token);

        public async Task<string?> ReadCommandAsync(CancellationToken token)
        {
            var line = new List<byte>();
            while (true)
            {
                for (; _start < _end; _start++)
                {
                    byte b = _buffer[_start];
                    if (b == '\n')
                    {
                        _start++;
                        return Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                    }
                    if (line.Count >= MaxCommandBytes)
                        return null;
                    line.Add(b);
                }
                _start = 0;
                _end = await stream.ReadAsync(_buffer, token);
                if (_end == 0)
                    return null;
            }
        }
    }
}

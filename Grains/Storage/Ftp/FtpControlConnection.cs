using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// One logged-in FTP control connection (plain, explicit TLS or implicit TLS). Used by one operation at a time (the pool
/// hands it out exclusively). Any I/O failure or reply out of step marks it broken, and a broken connection is never
/// used again: the pool closes it instead of returning it.
/// </summary>
internal sealed partial class FtpControlConnection : IAsyncDisposable
{
    private static int s_ids;

    private readonly FtpEndpoint _endpoint;
    private readonly Socket _socket;
    private readonly IPAddress _peer;
    private Stream _stream;
    private FtpReplyReader _reader;
    private FtpTlsSession? _tls;
    private bool _broken;

    /// <summary>A NOOP was sent after an aborted transfer and its 200 not read yet: the next reply read skips to it first.</summary>
    private bool _syncPending;

    /// <summary>
    /// An EPSV was sent ahead of the transfer that will use it (with the NOOP after an aborted read, or with CWD before
    /// LIST) and its reply not read yet: the next data connection takes it; a command whose reply comes after it reads it
    /// first and keeps it in <see cref="_passiveReply"/>.
    /// </summary>
    private bool _passivePending;

    /// <summary>The reply of an EPSV sent ahead, read on the way to a later reply and not used by a transfer yet.</summary>
    private FtpReply? _passiveReply;
    private int _disposed;

    private FtpControlConnection(FtpEndpoint endpoint, Socket socket, IPAddress peer)
    {
        _endpoint = endpoint;
        _socket = socket;
        _peer = peer;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new FtpReplyReader(_stream);
        Id = Interlocked.Increment(ref s_ids);
    }

    public int Id { get; }

    public FtpFeatures Features { get; private set; } = FtpFeatures.None;

    /// <summary>True while the connection is in a known state and may serve another operation.</summary>
    public bool IsUsable => !_broken && Volatile.Read(ref _disposed) == 0;

    /// <summary>Called when an operation leaves the connection in an unknown state (a failed transfer, a timeout).</summary>
    public void MarkBroken() => _broken = true;

    /// <summary>
    /// Connects to an address the guard allows, sets up TLS and logs in. The pool that calls this holds the connection's
    /// lease and returns it after <see cref="CloseAsync"/>.
    /// </summary>
    public static async Task<FtpControlConnection> OpenAsync(FtpEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timer = new FtpOperationTimer(endpoint.Options.ConnectTimeout, cancellationToken);
        string what = $"Connecting to {endpoint.Display}";
        FtpControlConnection? connection = null;
        try
        {
            var addresses = await endpoint.Guard.ResolveAsync(endpoint.Host, timer.Token).ConfigureAwait(false);
            var (socket, peer) = await ConnectAnyAsync(endpoint, addresses, endpoint.Port, timer.Token).ConfigureAwait(false);
            connection = new FtpControlConnection(endpoint, socket, peer);
            await connection.StartSessionAsync(timer.Token).ConfigureAwait(false);
            endpoint.Logger.LogDebug("FTP connection {Id} to {Server} ready (TLS {Tls}, features {Features})",
                connection.Id, endpoint.Display, connection._tls is not null, connection.Features);
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
                await connection.CloseAsync(sendQuit: false).ConfigureAwait(false);
            var failure = FtpFailures.Translate(ex, timer, what);
            if (failure is null)
                throw;
            throw failure;
        }
    }

    private static async Task<(Socket Socket, IPAddress Peer)> ConnectAnyAsync(
        FtpEndpoint endpoint, IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        if (addresses.Length == 0)
            throw new StorageException(StorageErrorKind.Transient, $"The host name {endpoint.Host} has no address.");
        SocketException? last = null;
        foreach (var address in addresses)
        {
            endpoint.Guard.EnsureAllowed(address);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return (socket, address);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new StorageException(StorageErrorKind.Transient,
            $"Could not connect to {endpoint.Display} ({last?.SocketErrorCode}: {last?.Message}).", last);
    }

    private async Task StartSessionAsync(CancellationToken cancellationToken)
    {
        if (_endpoint.ImplicitTls)
            await UpgradeToTlsAsync(cancellationToken).ConfigureAwait(false);

        var welcome = await ReadGreetingAsync(cancellationToken).ConfigureAwait(false);
        for (int i = 0; welcome.Code == 120 && i < 3; i++) // "service ready in nnn minutes": the real greeting follows
            welcome = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (welcome.Code != 220)
            throw FtpErrors.FromReply(welcome, $"Connecting to {_endpoint.Display}");

        if (_endpoint.ExplicitTls)
        {
            var auth = await ExecuteAsync("AUTH TLS", cancellationToken).ConfigureAwait(false);
            if (auth.Code != 234)
            {
                // ftpes:// means TLS is required: never fall back to sending the password in clear.
                throw new StorageException(StorageErrorKind.Trust,
                    $"{_endpoint.Display} refused AUTH TLS ('{auth}'); the storage is declared with explicit TLS, so the login is not sent in clear.");
            }
            if (_reader.HasBufferedBytes)
                throw new StorageException(StorageErrorKind.Protocol, "The FTP server sent data in clear after agreeing to AUTH TLS.");
            await UpgradeToTlsAsync(cancellationToken).ConfigureAwait(false);
        }

        await LoginAsync(cancellationToken).ConfigureAwait(false);

        if (_tls is not null)
        {
            await ExecuteAsync("PBSZ 0", cancellationToken).ConfigureAwait(false);
            var prot = await ExecuteAsync("PROT P", cancellationToken).ConfigureAwait(false);
            if (!prot.IsCompletion)
                throw new StorageException(StorageErrorKind.Trust,
                    $"{_endpoint.Display} refused to protect data connections with TLS (PROT P: '{prot}').");
        }

        var feat = await ExecuteAsync("FEAT", cancellationToken).ConfigureAwait(false);
        Features = FtpFeatures.Parse(feat);
        if (Features.Utf8)
            await ExecuteAsync("OPTS UTF8 ON", cancellationToken).ConfigureAwait(false); // best effort: names are decoded either way

        var type = await ExecuteAsync("TYPE I", cancellationToken).ConfigureAwait(false); // byte offsets for REST and SIZE
        if (!type.IsCompletion)
            throw FtpErrors.FromReply(type, "Switching to binary mode");
    }

    /// <summary>
    /// The server's first reply, within <see cref="FtpClientSettings.GreetingTimeout"/>. An implicit-TLS port stays silent
    /// until the client starts its TLS handshake, so a plain connection to one would otherwise wait out every connect
    /// timeout and retry; silence and bytes that are no reply (a TLS record, an SSH banner) fail at once, not retried.
    /// </summary>
    private async Task<FtpReply> ReadGreetingAsync(CancellationToken cancellationToken)
    {
        using var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        greeting.CancelAfter(_endpoint.Settings.GreetingTimeout);
        try
        {
            return await ReadReplyAsync(greeting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (greeting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            string hint = _endpoint.ImplicitTls
                ? "the TLS session opened but no FTP reply followed"
                : "a port that waits for the client to speak first is most likely implicit FTPS: declare it as ftps://";
            throw new StorageException(StorageErrorKind.Protocol,
                $"{_endpoint.Display} sent no FTP greeting within {_endpoint.Settings.GreetingTimeout.TotalSeconds:0.#} s ({hint}).");
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.Protocol && _reader.FirstByte is byte first)
        {
            string hint = first is 0x15 or 0x16
                ? "it looks like a TLS handshake: declare the storage as ftps:// (implicit TLS)"
                : first == (byte)'S' ? "it looks like an SSH server: declare the storage as sftp://" : "is it an FTP server?";
            throw new StorageException(StorageErrorKind.Protocol,
                $"{_endpoint.Display} answered with bytes that are not an FTP greeting ({hint}).", ex);
        }
    }

    private async Task LoginAsync(CancellationToken cancellationToken)
    {
        string user = _endpoint.Credentials.UserName ?? "anonymous";
        string what = $"Logging in to {_endpoint.Display} as '{user}'";
        var reply = await ExecuteAsync("USER " + user, cancellationToken).ConfigureAwait(false);
        if (reply.Code == 331 || reply.Code == 332)
            reply = await ExecuteAsync("PASS " + (_endpoint.Credentials.Password ?? "anonymous@"), cancellationToken).ConfigureAwait(false);
        if (reply.Code is not (230 or 202))
            throw FtpErrors.FromReply(reply, what);
    }

    private async Task UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        _tls = new FtpTlsSession(_endpoint.Host, _endpoint.Trust);
        var ssl = await _tls.AuthenticateAsync(_stream, cancellationToken).ConfigureAwait(false);
        _stream = ssl;
        _reader = new FtpReplyReader(ssl);
    }

    /// <summary>Sends one command and reads its reply (the first one, which may be preliminary).</summary>
    public async Task<FtpReply> ExecuteAsync(string command, CancellationToken cancellationToken, bool latin1 = false)
    {
        await WriteCommandAsync(command, cancellationToken, latin1).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one command. Bytes already received but not read mean the server answered something nobody asked, so the
    /// next reply would be misread: that is refused, except after an aborted transfer, whose final replies are expected.
    /// </summary>
    public async Task WriteCommandAsync(string command, CancellationToken cancellationToken, bool latin1 = false, bool repliesPending = false)
    {
        if (!IsUsable)
            throw new StorageException(StorageErrorKind.Transient, "The FTP connection is no longer usable.");
        StoragePaths.EnsureSafe(command); // last line of defence against CR/LF injection, whatever the caller checked
        if (_reader.HasBufferedBytes && !repliesPending && !_syncPending && !_passivePending)
        {
            _broken = true;
            // The command was not sent, so it is safe on another connection: servers say "421 Timeout" or vsftpd "500 OOPS"
            // on their own before closing a session, and such a line waits here until the connection is used again.
            throw new StorageException(StorageErrorKind.Transient, "The FTP server sent a reply nobody asked for; the connection is out of step.");
        }
        if (_endpoint.Logger.IsEnabled(LogLevel.Trace))
            _endpoint.Logger.LogTrace("FTP {Id} > {Command}", Id, command.StartsWith("PASS ", StringComparison.OrdinalIgnoreCase) ? "PASS ***" : command);
        try
        {
            await _stream.WriteAsync(FtpText.EncodeCommand(command, latin1), cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _broken = true;
            throw;
        }
    }

    public async Task<FtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        if (_syncPending)
        {
            _syncPending = false;
            await ReadUntilInStepAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_passivePending)
        {
            // An EPSV sent ahead comes before this command's reply: kept for the next transfer.
            _passivePending = false;
            _passiveReply = await ReadOneReplyAsync(cancellationToken).ConfigureAwait(false);
        }
        return await ReadOneReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one command with EPSV right behind it and reads the command's reply: EPSV's reply is left for the transfer
    /// that follows (see <see cref="SendPassiveAheadAsync"/>), so a CWD before LIST and the EPSV share one round trip.
    /// </summary>
    public async Task<FtpReply> ExecuteWithPassiveAheadAsync(string command, CancellationToken cancellationToken, bool latin1 = false)
    {
        if (_passivePending || _passiveReply is not null || _endpoint.Traits.EpsvUnusable)
            return await ExecuteAsync(command, cancellationToken, latin1).ConfigureAwait(false);
        await WriteCommandAsync(command, cancellationToken, latin1).ConfigureAwait(false);
        await WriteCommandAsync("EPSV", cancellationToken, repliesPending: true).ConfigureAwait(false);
        var reply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        _passivePending = true; // set after the command's reply was read: EPSV's reply comes after it
        return reply;
    }

    /// <summary>
    /// Reads the replies left by an aborted transfer up to the NOOP's 200 sent after them (RecoverAfterAbortAsync): the
    /// connection is then in step. Deferred to the next command, whose own round trip it rides on.
    /// </summary>
    private async Task ReadUntilInStepAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < 6; i++)
        {
            var reply = await ReadOneReplyAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Code == 200)
                return;
            if (reply.Code == 421)
                break;
        }
        _broken = true;
        throw new StorageException(StorageErrorKind.Transient, "The FTP connection did not come back in step after an aborted transfer.");
    }

    private async Task<FtpReply> ReadOneReplyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (_endpoint.Logger.IsEnabled(LogLevel.Trace))
                _endpoint.Logger.LogTrace("FTP {Id} < {Reply}", Id, reply);
            if (reply.Code == 421 || reply.IsSessionFailure)
                _broken = true; // "service not available, closing control connection", or vsftpd's session ended
            return reply;
        }
        catch
        {
            _broken = true;
            throw;
        }
    }

    /// <summary>NOOP round trip, used before reusing a connection that sat idle.</summary>
    public async Task<bool> IsAliveAsync(CancellationToken cancellationToken)
    {
        using var timer = new FtpOperationTimer(_endpoint.Options.OperationTimeout, cancellationToken);
        try
        {
            var reply = await ExecuteAsync("NOOP", timer.Token).ConfigureAwait(false);
            return reply.IsCompletion;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || timer.TimedOut(ex))
        {
            _broken = true;
            return false;
        }
    }

    /// <summary>Closes the connection (QUIT first when it is still in step).</summary>
    public async Task CloseAsync(bool sendQuit = true)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (sendQuit && !_broken)
        {
            try
            {
                using var quitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _stream.WriteAsync(FtpText.EncodeCommand("QUIT", false), quitTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing anyway.
            }
        }
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // A TLS close_notify on a dead socket can fail; the socket is gone either way.
        }
        _socket.Dispose();
        _endpoint.Logger.LogDebug("FTP connection {Id} to {Server} closed", Id, _endpoint.Display);
    }

    public ValueTask DisposeAsync() => new(CloseAsync());
}

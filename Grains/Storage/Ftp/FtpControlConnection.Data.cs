using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>Data connections: passive mode only (EPSV, then PASV), always to the control connection's peer address.</summary>
internal sealed partial class FtpControlConnection
{
    /// <summary>
    /// Opens a data connection and starts <paramref name="command"/> on it (after REST when <paramref name="restOffset"/>
    /// is positive). Throws the classified reply error when the server refuses the command.
    /// </summary>
    public async Task<FtpTransfer> BeginTransferAsync(string command, long restOffset, bool latin1, string what, CancellationToken cancellationToken)
    {
        var socket = await OpenPassiveAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FtpReply reply;
            if (restOffset > 0)
            {
                // REST and the transfer command leave together: the server takes them in order, and REST's round trip is saved.
                await WriteCommandAsync("REST " + restOffset.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                await WriteCommandAsync(command, cancellationToken, latin1, repliesPending: true).ConfigureAwait(false);
                var rest = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                reply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                if (rest.Code != 350)
                {
                    // The transfer command ran anyway, from the wrong offset: end it before failing.
                    if (reply.IsPreliminary)
                    {
                        socket.Dispose();
                        await RecoverAfterAbortAsync(cancellationToken).ConfigureAwait(false);
                    }
                    throw FtpErrors.FromReply(rest, what + " (REST)");
                }
            }
            else
            {
                reply = await ExecuteAsync(command, cancellationToken, latin1).ConfigureAwait(false);
            }
            if (reply.IsCompletion)
            {
                // Some servers answer an empty transfer at once, without a 150 and without using the data connection.
                socket.Dispose();
                return new FtpTransfer(this, Stream.Null, completed: true, what);
            }
            if (!reply.IsPreliminary)
                throw FtpErrors.FromReply(reply, what);

            Stream data = new NetworkStream(socket, ownsSocket: true);
            if (_tls is not null)
            {
                try
                {
                    // Same session options as the control connection, so the handshake resumes its TLS session.
                    data = await _tls.AuthenticateAsync(data, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _broken = true; // the transfer's final reply is still pending
                    throw;
                }
            }
            return new FtpTransfer(this, data, completed: false, what);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends EPSV now for the next transfer on this connection, without waiting for its reply: the reply is read when
    /// that transfer opens its data connection, so EPSV rides on the round trip of the commands before it. Nothing is
    /// sent where EPSV is known not to work (PASV is then asked when needed, as before).
    /// </summary>
    public async Task SendPassiveAheadAsync(CancellationToken cancellationToken)
    {
        if (_endpoint.Traits.EpsvUnusable || _passivePending || _passiveReply is not null)
            return;
        await WriteCommandAsync("EPSV", cancellationToken, repliesPending: true).ConfigureAwait(false);
        _passivePending = true;
    }

    /// <summary>The reply of the EPSV sent ahead (read now if still pending, after whatever the NOOP left), or null.</summary>
    private async Task<FtpReply?> TakePassiveAheadAsync(CancellationToken cancellationToken)
    {
        if (_passivePending)
        {
            if (_syncPending)
            {
                _syncPending = false;
                await ReadUntilInStepAsync(cancellationToken).ConfigureAwait(false);
            }
            _passivePending = false;
            _passiveReply = await ReadOneReplyAsync(cancellationToken).ConfigureAwait(false);
        }
        var reply = _passiveReply;
        _passiveReply = null;
        return reply;
    }

    private async Task<Socket> OpenPassiveAsync(CancellationToken cancellationToken)
    {
        var traits = _endpoint.Traits;
        bool epsvPortFailed = false;
        if (!traits.EpsvUnusable)
        {
            var ahead = await TakePassiveAheadAsync(cancellationToken).ConfigureAwait(false);
            bool sentAhead = ahead is not null;
            var epsv = ahead ?? await ExecuteAsync("EPSV", cancellationToken).ConfigureAwait(false);
            if (epsv.Code == 229 && TryParseEpsvPort(epsv, out int epsvPort))
            {
                try
                {
                    return await ConnectDataAsync(epsvPort, cancellationToken).ConfigureAwait(false);
                }
                catch (StorageException ex) when (sentAhead && ex.Kind == StorageErrorKind.Transient && !cancellationToken.IsCancellationRequested)
                {
                    // A port asked for ahead may have been given up by the server while the connection sat idle: ask again.
                    _endpoint.Logger.LogDebug("FTP {Id}: data port asked ahead unreachable ({Error}); asking again", Id, ex.Message);
                    return await OpenPassiveAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (StorageException ex) when (ex.Kind == StorageErrorKind.Transient && !cancellationToken.IsCancellationRequested)
                {
                    // EPSV accepted but its port unreachable (a NAT or firewall that only knows PASV): try PASV.
                    _endpoint.Logger.LogDebug("FTP {Id}: EPSV data port unreachable ({Error}); trying PASV", Id, ex.Message);
                    epsvPortFailed = true;
                }
            }
            else if (epsv.Code is 421 or (>= 400 and < 500) || epsv.IsSessionFailure)
            {
                throw FtpErrors.FromReply(epsv, "Opening a data connection (EPSV)");
            }
            else
            {
                traits.EpsvUnusable = true; // 500/501/502: not implemented
            }
        }

        var pasv = await ExecuteAsync("PASV", cancellationToken).ConfigureAwait(false);
        _passiveReply = null; // an EPSV reply read on the way is void: the server listens where PASV says now
        if (pasv.Code != 227 || !TryParsePasvPort(pasv, out int pasvPort))
            throw pasv.Code == 227
                ? new StorageException(StorageErrorKind.Protocol, $"Unreadable PASV reply '{pasv}'.")
                : FtpErrors.FromReply(pasv, "Opening a data connection (PASV)");
        var socket = await ConnectDataAsync(pasvPort, cancellationToken).ConfigureAwait(false);
        if (epsvPortFailed)
            traits.EpsvUnusable = true;
        return socket;
    }

    /// <summary>
    /// Connects to the control connection's peer: the address in a PASV reply is ignored, so a server cannot point the
    /// client at another host (CVE-2020-8284 and friends), and NATed servers that announce a private address still work.
    /// </summary>
    private async Task<Socket> ConnectDataAsync(int port, CancellationToken cancellationToken)
    {
        _endpoint.Guard.EnsureAllowed(_peer);
        var socket = new Socket(_peer.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(_endpoint.Options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(_peer, port), connectTimeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw new StorageException(StorageErrorKind.Transient,
                $"The data connection to {_peer}:{port} failed ({(ex is SocketException se ? se.Message : "timed out")}).", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>"229 Entering Extended Passive Mode (|||30001|)": the delimiter is whatever follows '('.</summary>
    internal static bool TryParseEpsvPort(FtpReply reply, out int port)
    {
        port = 0;
        string text = reply.Lines[^1];
        int open = text.IndexOf('(');
        int close = text.LastIndexOf(')');
        if (open < 0 || close <= open + 1)
            return false;
        var parts = text[(open + 1)..close].Split(text[open + 1]);
        return parts.Length == 5 &&
            int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }

    /// <summary>"227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)" (parentheses optional): only the port is used.</summary>
    internal static bool TryParsePasvPort(FtpReply reply, out int port)
    {
        port = 0;
        string text = reply.Lines[^1];
        if (text.Length > 4)
            text = text[4..]; // skip the reply code
        foreach (var candidate in text.Split([' ', '(', ')', '.', '='], StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',');
            if (parts.Length != 6)
                continue;
            var numbers = new int[6];
            bool valid = true;
            for (int i = 0; i < 6 && valid; i++)
                valid = int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]) && numbers[i] <= 255;
            if (!valid)
                continue;
            port = (numbers[4] * 256) + numbers[5];
            return port > 0;
        }
        return false;
    }

    /// <summary>
    /// Brings the control connection back in step after a transfer was cut short by closing its data connection.
    /// Usually the server's write then fails (or had already finished into the socket buffers) and it ends the transfer
    /// with one reply: 426, 451 or 226 (or pure-ftpd's stray 150). ABOR is sent only when that reply does not come quickly (pure-ftpd over TLS keeps
    /// waiting): vsftpd does not read commands during a transfer, and pure-ftpd drops commands that arrive with an ABOR,
    /// so an early ABOR only adds replies of uncertain number and order. After a 2xx that ends the transfer or the ABOR,
    /// NOOP's 200 proves the next reply will be ours; stray replies before it (a late 225/226, pure-ftpd's bogus 150)
    /// are swallowed. Nothing within the timeout: the connection is broken and will be closed.
    /// </summary>
    internal async Task RecoverAfterAbortAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_endpoint.Settings.AbortTimeout);
        try
        {
            var pending = ReadReplyAsync(timeout.Token);
            var quiet = Task.Delay(_endpoint.Settings.AbortQuietPeriod, timeout.Token);
            bool aborSent = false;
            if (await Task.WhenAny(pending, quiet).ConfigureAwait(false) != pending)
            {
                await WriteCommandAsync("ABOR", timeout.Token, repliesPending: true).ConfigureAwait(false);
                aborSent = true;
            }
            // Any reply ends the transfer, even a 1xx: pure-ftpd sometimes ends a cut-short transfer with a second "150".
            var end = await pending.ConfigureAwait(false);
            // With ABOR sent, wait for a completion (ABOR's 225/226) before NOOP, so NOOP never arrives mid-abort.
            for (int i = 0; i < 4 && aborSent && !end.IsCompletion && end.Code != 421; i++)
                end = await ReadReplyAsync(timeout.Token).ConfigureAwait(false);
            if (end.Code != 421 && (end.IsCompletion || !aborSent))
            {
                // Whatever else the abort left comes before the NOOP's 200; reading up to it waits for the next command,
                // sent right behind, so the NOOP costs no round trip of its own.
                await WriteCommandAsync("NOOP", timeout.Token, repliesPending: true).ConfigureAwait(false);
                _syncPending = true;
                // An aborted transfer is a header read, and the next operation is most likely another one: its EPSV goes
                // with the NOOP (both ride on the next command's round trip; its reply is skipped if no transfer follows).
                await SendPassiveAheadAsync(timeout.Token).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception ex) when (ex is StorageException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _endpoint.Logger.LogDebug("FTP {Id}: no clean end after an aborted transfer ({Error}); discarding the connection", Id, ex.Message);
        }
        _broken = true;
    }

    /// <summary>True when data connections of this session are TLS (for diagnostics).</summary>
    public bool ProtectsData => _tls is not null;

    internal SslStream? ControlTls => _stream as SslStream;
}

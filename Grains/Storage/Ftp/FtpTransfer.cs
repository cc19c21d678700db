using System.Net.Security;
using System.Net.Sockets;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// One data transfer in progress (LIST, MLSD or RETR). Either read it to the end and <see cref="CompleteAsync"/> (reads
/// the final reply), or <see cref="AbortAsync"/> it; any other ending leaves the control connection broken.
/// </summary>
internal sealed class FtpTransfer : IAsyncDisposable
{
    private readonly FtpControlConnection _connection;
    private readonly string _what;
    private bool _finished;

    public FtpTransfer(FtpControlConnection connection, Stream data, bool completed, string what)
    {
        _connection = connection;
        Data = data;
        _finished = completed;
        _what = what;
    }

    public Stream Data { get; }

    /// <summary>After the data reached its end: closes the data connection and checks the transfer's final reply.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_finished)
            return;
        _finished = true;
        if (Data is SslStream ssl)
            await TryShutdownAsync(ssl).ConfigureAwait(false); // close_notify: some servers want it before 226
        await DisposeDataAsync().ConfigureAwait(false);
        var reply = await _connection.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (reply.IsPreliminary)
            reply = await _connection.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (!reply.IsCompletion)
        {
            if (reply.Code == 522)
                _connection.MarkBroken(); // vsftpd ends the whole session after refusing a data connection's TLS
            throw FtpErrors.FromReply(reply, _what);
        }
    }

    /// <summary>Stops the transfer before its end (enough bytes read) and brings the control connection back in step.</summary>
    public async Task AbortAsync(CancellationToken cancellationToken)
    {
        if (_finished)
            return;
        _finished = true;
        if (Data is SslStream ssl)
            await TryShutdownAsync(ssl).ConfigureAwait(false); // a TLS server waits for close_notify before it gives up the transfer
        await DisposeDataAsync().ConfigureAwait(false);
        await _connection.RecoverAfterAbortAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A transfer dropped without completing or aborting leaves its final reply unread: the connection is broken.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            _connection.MarkBroken();
        }
        await DisposeDataAsync().ConfigureAwait(false);
    }

    private static async Task TryShutdownAsync(SslStream ssl)
    {
        try
        {
            await ssl.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            // The server may already have closed its side.
        }
    }

    private async ValueTask DisposeDataAsync()
    {
        try
        {
            await Data.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Closing a data connection the server already reset.
        }
    }
}

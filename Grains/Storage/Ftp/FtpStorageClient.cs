using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// <see cref="IStorageClient"/> for ftp:// (plain), ftpes:// (explicit TLS, required) and ftps:// (implicit TLS), over a
/// pool of logged-in control connections. Listings use MLSD when the server offers it, else LIST (Unix and DOS/IIS
/// formats); range reads use REST + RETR and abort the transfer once the bytes are in; data connections are passive only
/// and go to the control connection's address. Transient failures are retried on a fresh connection with back-off.
/// </summary>
public sealed class FtpStorageClient : IStorageClient
{
    private readonly FtpEndpoint _endpoint;
    private readonly FtpConnectionPool _pool;
    private readonly IConnectionLimiter _limiter;

    public FtpStorageClient(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust,
        IAddressGuard addressGuard, StorageAccessOptions options, ILogger logger)
        : this(location, credentials, limiter, trust, addressGuard, options, logger, FtpClientSettings.Default)
    {
    }

    internal FtpStorageClient(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust,
        IAddressGuard addressGuard, StorageAccessOptions options, ILogger logger, FtpClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!location.IsFtp)
            throw new ArgumentException($"Not an FTP storage: {location}.", nameof(location));
        _limiter = limiter;
        _endpoint = new FtpEndpoint(location, credentials, trust, addressGuard, options, settings, new FtpServerTraits(), logger);
        _pool = new FtpConnectionPool(_endpoint, limiter);
    }

    /// <summary>Connections currently open to the server (for tests and diagnostics).</summary>
    internal int OpenConnections => _pool.OpenConnections;

    internal FtpServerTraits Traits => _endpoint.Traits;

    public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = CheckPath(directoryPath);
        // The whole listing is read before the first entry is yielded: the connection goes back to the pool at once,
        // whatever the consumer does, and a listing that fails half-way can be retried without yielding duplicates.
        var entries = await RunAsync($"Listing {path}",
            (connection, timer) => FtpOperations.ListAsync(connection, path, _endpoint, timer), cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
            yield return entry;
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        string checkedPath = CheckPath(path);
        return RunAsync($"Reading the attributes of {checkedPath}",
            (connection, timer) => FtpOperations.StatAsync(connection, checkedPath, timer), cancellationToken);
    }

    public Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string checkedPath = CheckPath(path);
        return RunAsync($"Reading {checkedPath} at {offset}",
            (connection, timer) => FtpOperations.ReadRangeAsync(connection, checkedPath, offset, buffer, timer), cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string checkedPath = CheckPath(path);
        string what = $"Downloading {checkedPath} from {offset}";
        return await RunAsync<Stream>(what, async (connection, timer) =>
        {
            var transfer = await FtpOperations.BeginWithLatin1RetryAsync(connection, "RETR", checkedPath, offset, what, timer.Token).ConfigureAwait(false);
            return new FtpDownloadStream(connection, transfer, _pool, _endpoint.Options.OperationTimeout, offset);
        }, cancellationToken, keepConnection: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an operation on a pooled connection, retrying transient failures (on a fresh connection when the failed one is
    /// out of step) up to <see cref="StorageAccessOptions.MaxAttempts"/>. With <paramref name="keepConnection"/>, a
    /// successful operation keeps the connection (the download stream returns it).
    /// </summary>
    private async Task<T> RunAsync<T>(string what, Func<FtpControlConnection, FtpOperationTimer, Task<T>> operation,
        CancellationToken cancellationToken, bool keepConnection = false)
    {
        for (int attempt = 1; ; attempt++)
        {
            FtpControlConnection? connection = null;
            using var timer = new FtpOperationTimer(_endpoint.Options.OperationTimeout, cancellationToken);
            try
            {
                connection = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
                timer.Progress(); // waiting for a connection is not the operation's time
                var result = await operation(connection, timer).ConfigureAwait(false);
                if (!keepConnection)
                    await _pool.ReturnAsync(connection).ConfigureAwait(false);
                return result;
            }
            catch (Exception ex)
            {
                if (connection is not null)
                {
                    // A reply error leaves the connection in step; anything else (I/O, timeout, cancellation) does not.
                    if (ex is not StorageException)
                        connection.MarkBroken();
                    await _pool.ReturnAsync(connection).ConfigureAwait(false);
                }
                var failure = FtpFailures.Translate(ex, timer, what);
                if (failure is null)
                    throw;
                if (failure.Kind == StorageErrorKind.TooManyConnections && connection is not null)
                    _limiter.ReportTooManyConnections();
                if (!FtpErrors.IsRetryable(failure) || attempt >= _endpoint.Options.MaxAttempts || cancellationToken.IsCancellationRequested)
                {
                    if (ReferenceEquals(failure, ex))
                        throw;
                    throw failure;
                }
                var delay = _endpoint.Settings.RetryDelay(attempt);
                _endpoint.Logger.LogInformation("{What} on {Server} failed (attempt {Attempt}): {Error}; retrying in {Delay} ms",
                    what, _endpoint.Display, attempt, failure.Message, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        StoragePaths.EnsureSafe(path);
        if (!path.StartsWith('/'))
            throw new StorageException(StorageErrorKind.Invalid, $"Storage paths are absolute; '{FtpReplyReader.Truncate(path)}' does not start with '/'.");
        return StorageLocation.NormalizePath(path);
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}

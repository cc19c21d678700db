using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// <see cref="IStorageClient"/> for ftp:// (plain), ftpes:// (explicit TLS, required) and ftps:// (implicit TLS), over a
/// <see cref="ConnectionPool{TConnection}"/> of logged-in control connections (the pool every protocol client uses: leases,
/// turns, contention and "too many connections" are its rules). Listings use MLSD when the server offers it, else LIST (Unix and DOS/IIS
/// formats); range reads use REST + RETR and abort the transfer once the bytes are in; data connections are passive only
/// and go to the control connection's address. Transient failures are retried on a fresh connection with back-off.
/// </summary>
public sealed class FtpStorageClient : IStorageClient
{
    private readonly FtpEndpoint _endpoint;
    private readonly ConnectionPool<FtpControlConnection> _pool;
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
        var endpoint = _endpoint;
        _pool = new ConnectionPool<FtpControlConnection>(
            ct => FtpControlConnection.OpenAsync(endpoint, ct),
            limiter,
            new ConnectionPoolOptions
            {
                MaxConnections = Math.Max(1, options.MaxConnectionsPerStorage),
                IdleTimeout = settings.IdleTimeout,
                TurnLength = settings.TurnLength,
            },
            isHealthy: (connection, idle, ct) => IsHealthyAsync(connection, idle, settings, ct),
            close: connection => new ValueTask(connection.CloseAsync()),
            time: settings.Time,
            logger: logger);
    }

    /// <summary>A connection idle for a while is checked with NOOP: servers drop idle sessions without notice.</summary>
    private static async ValueTask<bool> IsHealthyAsync(FtpControlConnection connection, TimeSpan idle, FtpClientSettings settings, CancellationToken ct) =>
        connection.IsUsable && (idle <= settings.HealthCheckAfter || await connection.IsAliveAsync(ct).ConfigureAwait(false));

    /// <summary>Connections currently open to the server (for tests and diagnostics).</summary>
    internal int OpenConnections => _pool.OpenCount;

    /// <summary>Connections the pool allows itself now: lowered by "too many connections" refusals, regrown when quiet.</summary>
    internal int ConnectionLimit => _pool.CurrentLimit;

    internal FtpServerTraits Traits => _endpoint.Traits;

    public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = CheckPath(directoryPath);
        // The whole listing is read before the first entry is yielded: the connection goes back to the pool at once,
        // whatever the consumer does, and a listing that fails half-way can be retried without yielding duplicates.
        var entries = await RunAsync($"Listing {path}",
            (rented, timer) => FtpOperations.ListAsync(rented.Connection, path, _endpoint, timer), cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
            yield return entry;
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        string checkedPath = CheckPath(path);
        return RunAsync($"Reading the attributes of {checkedPath}",
            (rented, timer) => FtpOperations.StatAsync(rented.Connection, checkedPath, timer), cancellationToken);
    }

    public Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string checkedPath = CheckPath(path);
        return RunAsync($"Reading {checkedPath} at {offset}",
            (rented, timer) => FtpOperations.ReadRangeAsync(rented.Connection, checkedPath, offset, buffer, timer), cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string checkedPath = CheckPath(path);
        string what = $"Downloading {checkedPath} from {offset}";
        return await RunAsync<Stream>(what, async (connection, timer) =>
        {
            var transfer = await FtpOperations.BeginWithLatin1RetryAsync(connection.Connection, "RETR", checkedPath, offset, what, timer.Token).ConfigureAwait(false);
            return new FtpDownloadStream(connection, transfer, _endpoint.Options.OperationTimeout, offset);
        }, cancellationToken, keepConnection: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an operation on a pooled connection, tried again by the storage retry policy after transient failures (on a
    /// fresh connection when the failed one is out of step) up to <see cref="StorageAccessOptions.MaxAttempts"/>. With
    /// <paramref name="keepConnection"/>, a successful operation keeps the connection (the download stream returns it).
    /// </summary>
    private Task<T> RunAsync<T>(string what, Func<PooledConnection<FtpControlConnection>, FtpOperationTimer, Task<T>> operation,
        CancellationToken cancellationToken, bool keepConnection = false) =>
        _endpoint.Settings.Retry.RunAsync($"{what} on {_endpoint.Display}", _endpoint.Options.MaxAttempts,
            ct => AttemptAsync(what, operation, keepConnection, ct), _endpoint.Logger, cancellationToken);

    /// <summary>One attempt: rents a connection, runs the operation, and turns its failure into a <see cref="StorageException"/>.</summary>
    private async Task<T> AttemptAsync<T>(string what, Func<PooledConnection<FtpControlConnection>, FtpOperationTimer, Task<T>> operation,
        bool keepConnection, CancellationToken cancellationToken)
    {
        PooledConnection<FtpControlConnection>? rented = null;
        using var timer = new FtpOperationTimer(_endpoint.Options.OperationTimeout, cancellationToken);
        try
        {
            rented = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            timer.Progress(); // waiting for a connection is not the operation's time
            var result = await operation(rented, timer).ConfigureAwait(false);
            if (!keepConnection)
                await ReturnAsync(rented).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex)
        {
            if (rented is not null)
            {
                // A reply error leaves the connection in step; anything else (I/O, timeout, cancellation) does not.
                if (ex is not StorageException)
                    rented.Connection.MarkBroken();
                await ReturnAsync(rented).ConfigureAwait(false);
            }
            var failure = FtpFailures.Translate(ex, timer, what);
            if (failure is null)
                throw;
            // A refusal while renting was reported by the pool itself.
            if (failure.Kind == StorageErrorKind.TooManyConnections && rented is not null)
                _limiter.ReportTooManyConnections();
            if (ReferenceEquals(failure, ex))
                throw;
            throw failure;
        }
    }

    /// <summary>Gives a rented connection back to the pool, closed when an operation left it out of step.</summary>
    internal static ValueTask ReturnAsync(PooledConnection<FtpControlConnection> rented)
    {
        if (!rented.Connection.IsUsable)
            rented.MarkBroken();
        return rented.DisposeAsync();
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

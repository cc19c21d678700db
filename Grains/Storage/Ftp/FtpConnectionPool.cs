using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// Logged-in control connections of one client, reused across operations. A new connection is opened only with a lease
/// from the storage's <see cref="IConnectionLimiter"/> (held until the connection closes), so the storage's limit holds.
/// A caller that finds no idle connection waits for whichever comes first: a lease for a new connection, or a
/// connection another caller gives back. "Too many connections" answers lower the limiter's grants and are retried
/// after a back-off; they fail the caller only when no connection at all can be opened for a long while.
/// </summary>
/// <remarks>
/// An idle connection keeps its lease. When the limiter says another pool waits (on another silo: the limit is
/// cluster-wide), a connection that no caller here waits for is closed at once instead of idling, and idle ones within
/// <see cref="FtpClientSettings.PrunePeriod"/>; when the waiting pool has fewer leases, a connection that served
/// <see cref="FtpClientSettings.TurnLength"/> is closed on return even with callers waiting here. Without this, a silo
/// holding the whole limit in idle connections stalled the others for <see cref="FtpClientSettings.IdleTimeout"/>.
/// </remarks>
internal sealed class FtpConnectionPool : IAsyncDisposable
{
    private readonly FtpEndpoint _endpoint;
    private readonly IConnectionLimiter _limiter;
    private readonly Lock _gate = new();
    private readonly Stack<FtpControlConnection> _idle = new();
    private readonly LinkedList<TaskCompletionSource<FtpControlConnection>> _waiters = new();
    private readonly Timer _pruneTimer;
    private readonly int _maxConnections;
    private TaskCompletionSource _capacityChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _acquiring;
    private int _openConnections;
    private bool _disposed;

    public FtpConnectionPool(FtpEndpoint endpoint, IConnectionLimiter limiter)
    {
        _endpoint = endpoint;
        _limiter = limiter;
        _maxConnections = Math.Max(1, endpoint.Options.MaxConnectionsPerStorage);
        var period = endpoint.Settings.PrunePeriod;
        _pruneTimer = new Timer(_ => _ = PruneIdleAsync(), null, period, period);
    }

    /// <summary>Connections currently open (idle or in use).</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Hands out a connection for the caller's exclusive use; give it back with <see cref="ReturnAsync"/>.</summary>
    public async Task<FtpControlConnection> RentAsync(CancellationToken cancellationToken)
    {
        int tooManyInARow = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var idle = TakeIdle();
            if (idle is not null)
            {
                bool stale = Environment.TickCount64 - idle.LastUsedTicks > (long)_endpoint.Settings.HealthCheckAfter.TotalMilliseconds;
                if (stale && !await idle.IsAliveAsync(cancellationToken).ConfigureAwait(false))
                {
                    await CloseAsync(idle).ConfigureAwait(false);
                    continue;
                }
                return idle;
            }

            var (handedOver, lease) = await WaitForConnectionOrLeaseAsync(cancellationToken).ConfigureAwait(false);
            if (handedOver is not null)
                return handedOver;
            if (lease is null)
                continue; // a connection closed or a lease request ended: look again

            try
            {
                var connection = await FtpControlConnection.OpenAsync(_endpoint, lease!, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _openConnections);
                return connection;
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.TooManyConnections)
            {
                await lease!.DisposeAsync().ConfigureAwait(false);
                _limiter.ReportTooManyConnections();
                tooManyInARow++;
                // While other connections are open, one will come back (or the limiter will grant again): keep waiting.
                // With none open, the server refuses us entirely; give up after a while.
                if (OpenConnections == 0 && tooManyInARow >= _endpoint.Settings.MaxTooManyConnectionsAttempts)
                    throw;
                var delay = _endpoint.Settings.RetryDelay(tooManyInARow);
                _endpoint.Logger.LogInformation("{Server} refused a connection as too many ({Open} open); retrying in {Delay} ms",
                    _endpoint.Display, OpenConnections, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await lease!.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Waits for a connection another caller gives back or, when fewer than the storage's limit are open or being asked
    /// for, for a lease to open one. Callers beyond that only wait for a returned connection: asking the limiter for more
    /// leases than can ever be used would cost one limiter request (a grain call in a cluster) per operation, each
    /// withdrawn as soon as a connection comes back. Both null: capacity changed, look again.
    /// </summary>
    private async Task<(FtpControlConnection? Connection, IAsyncDisposable? Lease)> WaitForConnectionOrLeaseAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<FtpControlConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource<FtpControlConnection>> node;
        Task capacityChanged;
        bool mayAcquire;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            node = _waiters.AddLast(waiter);
            mayAcquire = OpenConnections + _acquiring < _maxConnections;
            if (mayAcquire)
                _acquiring++;
            capacityChanged = _capacityChanged.Task;
        }

        if (!mayAcquire)
        {
            try
            {
                await Task.WhenAny(waiter.Task, capacityChanged).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    if (node.List is not null)
                        _waiters.Remove(node);
                }
            }
            if (waiter.Task.IsCompletedSuccessfully)
                return (waiter.Task.Result, null);
            if (waiter.Task.IsCanceled)
                throw new ObjectDisposedException(nameof(FtpConnectionPool));
            return (null, null);
        }

        using var stopLease = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var leaseTask = _limiter.AcquireAsync(stopLease.Token).AsTask();
        try
        {
            await Task.WhenAny(leaseTask, waiter.Task).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                if (node.List is not null)
                    _waiters.Remove(node);
                _acquiring--;
                SignalCapacityLocked();
            }
        }

        // Removed from the waiters under the lock: from here on nobody completes the waiter.
        if (waiter.Task.IsCompletedSuccessfully)
        {
            stopLease.Cancel();
            _ = ReleaseLateLeaseAsync(leaseTask);
            return (waiter.Task.Result, null);
        }
        if (waiter.Task.IsCanceled)
        {
            stopLease.Cancel();
            _ = ReleaseLateLeaseAsync(leaseTask);
            throw new ObjectDisposedException(nameof(FtpConnectionPool));
        }
        var lease = await leaseTask.ConfigureAwait(false); // throws when cancelled
        return (null, lease);
    }

    /// <summary>Wakes callers that may now ask for a lease themselves.</summary>
    private void SignalCapacityLocked()
    {
        _capacityChanged.TrySetResult();
        _capacityChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static async Task ReleaseLateLeaseAsync(Task<IAsyncDisposable> leaseTask)
    {
        try
        {
            var lease = await leaseTask.ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The wait was cancelled: no lease was granted.
        }
    }

    /// <summary>Gives a connection back: to a waiting caller, to the idle stack, or closed when it is no longer usable.</summary>
    public async Task ReturnAsync(FtpControlConnection connection)
    {
        // A turn lasts at least ten logins, so that rotating leases between silos never spends more than a tenth of the
        // time logging in, even on a slow or loaded server.
        long turnMs = Math.Max((long)_endpoint.Settings.TurnLength.TotalMilliseconds, 10 * connection.OpenCostMs);
        bool turnServed = _limiter.OwesTurn && Environment.TickCount64 - connection.OpenedTicks >= turnMs;
        if (connection.IsUsable && !turnServed)
        {
            connection.MarkUsed();
            bool contended = _limiter.IsContended;
            lock (_gate)
            {
                if (!_disposed)
                {
                    while (_waiters.First is { } first)
                    {
                        _waiters.RemoveFirst();
                        if (first.Value.TrySetResult(connection))
                            return;
                    }
                    // Nobody here needs it: keep it for reuse, unless another pool waits for the lease it holds.
                    if (!contended)
                    {
                        _idle.Push(connection);
                        return;
                    }
                }
            }
        }
        await CloseAsync(connection).ConfigureAwait(false);
    }

    private FtpControlConnection? TakeIdle()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_idle.TryPop(out var connection))
            {
                if (connection.IsUsable)
                    return connection;
                _ = CloseAsync(connection);
            }
            return null;
        }
    }

    private async Task PruneIdleAsync()
    {
        List<FtpControlConnection> expired = [];
        long limit = (long)_endpoint.Settings.IdleTimeout.TotalMilliseconds;
        lock (_gate)
        {
            if (_idle.Count == 0)
                return;
        }
        // Under contention no idle connection is kept: another pool waits for the leases they hold.
        bool contended = _limiter.IsContended;
        lock (_gate)
        {
            var keep = _idle.Where(c => !contended && c.IsUsable && Environment.TickCount64 - c.LastUsedTicks < limit).Reverse().ToList();
            expired.AddRange(_idle.Except(keep));
            _idle.Clear();
            foreach (var connection in keep)
                _idle.Push(connection);
        }
        foreach (var connection in expired)
            await CloseAsync(connection).ConfigureAwait(false);
    }

    private async Task CloseAsync(FtpControlConnection connection)
    {
        try
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _endpoint.Logger.LogDebug(ex, "Closing FTP connection {Id} failed", connection.Id);
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
            lock (_gate)
                SignalCapacityLocked();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<FtpControlConnection> idle;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
            foreach (var waiter in _waiters)
                waiter.TrySetCanceled();
            _waiters.Clear();
        }
        await _pruneTimer.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in idle)
            await CloseAsync(connection).ConfigureAwait(false);
    }
}

using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// One pool's share of a storage's connection limit, granted by the StorageGrain (see <see cref="ConnectionLeaseTable"/>).
/// An acquire waits at the grain until a lease frees up (no polling); disposing the lease gives it back. While it holds
/// leases, the limiter keeps one watch call open at the grain, which answers as soon as another silo waits: the pool
/// reads that through <see cref="IsContended"/> and <see cref="OwesTurn"/> and closes connections instead of parking
/// them idle with their leases. Every message carries this holder's monotonic counters, so the grain's table is exact
/// whatever the order messages arrive in, and rebuilds itself after the grain moved. The watch ends when the silo stops (see <see cref="StorageClientCache.Participate"/>):
/// its calls would only fail (each logged as an error by the messaging layer) while the silo shuts down.
/// </summary>
public sealed class LeasedConnectionLimiter : IConnectionLimiter
{
    /// <summary>How long one acquire call waits at the grain before asking again (well below the call timeout).</summary>
    private static readonly TimeSpan AcquireWait = TimeSpan.FromSeconds(8);

    /// <summary>How long one watch call stays open when nothing changes.</summary>
    private static readonly TimeSpan WatchWait = TimeSpan.FromSeconds(8);

    /// <summary>Pause after a failed call (the grain is moving, or its silo is going away).</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Pause after a failed watch call: a re-activated grain hears from every holder with leases within it.</summary>
    internal static readonly TimeSpan WatchRetryDelay = TimeSpan.FromSeconds(1);

    private static long s_holders;

    private readonly IConnectionLeaseGrain _storage;
    private readonly Action<TimeSpan, bool>? _waited;
    private readonly CancellationToken _siloStopping;
    private readonly Lock _gate = new();
    private long _grants;
    private long _releases;
    private long _requests;
    private LeaseSignal _signal = LeaseSignal.Quiet;
    private bool _watching;
    private readonly string _storageName; // the storage key, the leases metric's tag

    /// <param name="storage">The storage's grain, which grants the leases.</param>
    /// <param name="siloId">This silo's address: the grain forgets the leases of a silo that left the cluster.</param>
    /// <param name="waited">Told how long each lease request waited and whether it was granted (diagnostics).</param>
    /// <param name="siloStopping">Cancelled when the silo stops (see <see cref="StorageClientCache.Participate"/>): ends the watch calls.</param>
    public LeasedConnectionLimiter(IConnectionLeaseGrain storage, string siloId, Action<TimeSpan, bool>? waited = null, CancellationToken siloStopping = default)
    {
        _storage = storage;
        _storageName = storage is GrainReference reference ? reference.GetPrimaryKeyString() : "unknown";
        _waited = waited;
        _siloStopping = siloStopping;
        HolderId = $"{siloId}/{Interlocked.Increment(ref s_holders)}";
    }

    /// <summary>This limiter's name in the grain's table: the silo's address and a number (one per pool).</summary>
    public string HolderId { get; }

    /// <summary>Leases this limiter holds now.</summary>
    public int Held
    {
        get { lock (_gate) return (int)(_grants - _releases); }
    }

    /// <summary>Another pool (on another silo, or a newer client here) waits for a lease of this storage.</summary>
    public bool IsContended
    {
        get { lock (_gate) return _signal.OthersWaiting; }
    }

    /// <summary>A waiting pool has fewer leases than this one: give one back after its turn.</summary>
    public bool OwesTurn
    {
        get { lock (_gate) return _signal.OwesTurn; }
    }

    /// <summary>The storage's holders hold more leases than its limit: give connections back as they return.</summary>
    public bool OverLimit
    {
        get { lock (_gate) return _signal.OverLimit; }
    }

    public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        long started = Environment.TickCount64;
        bool granted = false;
        try
        {
            var lease = await AcquireLeaseAsync(cancellationToken).ConfigureAwait(false);
            granted = true;
            return lease;
        }
        finally
        {
            _waited?.Invoke(TimeSpan.FromMilliseconds(Environment.TickCount64 - started), granted);
        }
    }

    private async Task<IAsyncDisposable> AcquireLeaseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task<LeaseAnswer> call;
            long requestId = Interlocked.Increment(ref _requests);
            try
            {
                call = _storage.AcquireConnectionLease(HolderId, requestId, Counters(), AcquireWait);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            LeaseAnswer answer;
            try
            {
                answer = await call.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Withdraw the request so it stops counting as a waiter; a lease granted meanwhile is given back at once.
                _ = AbandonAsync(requestId, call);
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (answer.Granted)
            {
                bool startWatch;
                lock (_gate)
                {
                    _grants++;
                    ScanMetrics.LeaseHeld(_storageName, +1);
                    _signal = answer.Signal;
                    startWatch = !_watching && !_siloStopping.IsCancellationRequested;
                    _watching |= startWatch;
                }
                if (startWatch)
                    _ = WatchAsync();
                return new Lease(this);
            }
            Apply(answer.Signal);
            // Not granted within the wait: ask again (the grain keeps this pool's place by the fewest-leases rule).
        }
    }

    public void ReportTooManyConnections()
    {
        // Fire and forget: the caller is failing a connect and must not wait on the grain.
        _ = ReportAsync();

        async Task ReportAsync()
        {
            try
            {
                await _storage.ReportTooManyConnections(HolderId, Held).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort: the server will refuse again if it must.
            }
        }
    }

    private LeaseCounters Counters()
    {
        lock (_gate)
            return new LeaseCounters(_grants, _releases);
    }

    private void Apply(LeaseSignal signal)
    {
        lock (_gate)
            _signal = _grants == _releases ? LeaseSignal.Quiet : signal;
    }

    private async Task AbandonAsync(long requestId, Task<LeaseAnswer> call)
    {
        try
        {
            await _storage.AbandonConnectionLease(HolderId, requestId).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The grain is unreachable: the request ends by itself after its wait.
        }
        try
        {
            if (!(await call.ConfigureAwait(false)).Granted)
                return;
            lock (_gate)
                _grants++;
            ScanMetrics.LeaseHeld(_storageName, +1);
            await ReleaseAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Not granted (the call failed): nothing to give back.
        }
    }

    private async ValueTask ReleaseAsync()
    {
        LeaseCounters counters;
        lock (_gate)
        {
            _releases++;
            ScanMetrics.LeaseHeld(_storageName, -1);
            counters = new LeaseCounters(_grants, _releases);
            // This release pays the turn that was owed (and one lease over the limit); the grain's answer says whether
            // another one is.
            _signal = _grants == _releases ? LeaseSignal.Quiet : _signal with { OwesTurn = false, OverLimit = false };
        }
        // The last silo of the cluster is stopping (see StorageClientCache.Participate): no silo could take the grain, and
        // the call would only fail, logged by the placement's retries. A silo stopping among others closes its connections
        // before this token is cancelled, so its releases reach the grain.
        if (_siloStopping.IsCancellationRequested)
            return;
        try
        {
            Apply((await _storage.ReleaseConnectionLease(HolderId, counters).ConfigureAwait(false)).Signal);
        }
        catch (Exception)
        {
            // The grain is unreachable (its silo is moving): the next message carries the counters again.
        }
    }

    /// <summary>Keeps one watch call open at the grain while this limiter holds leases and the silo runs.</summary>
    private async Task WatchAsync()
    {
        while (true)
        {
            LeaseCounters counters;
            LeaseSignal known;
            lock (_gate)
            {
                if (_grants == _releases || _siloStopping.IsCancellationRequested)
                {
                    _watching = false;
                    if (_grants == _releases)
                        _signal = LeaseSignal.Quiet;
                    return;
                }
                counters = new LeaseCounters(_grants, _releases);
                known = _signal;
            }
            try
            {
                Apply((await _storage.WatchConnectionLeases(HolderId, counters, known, WatchWait).ConfigureAwait(false)).Signal);
            }
            catch (Exception)
            {
                // The grain is moving: ask again shortly (the counters rebuild its table), unless the silo is stopping.
                try
                {
                    await Task.Delay(WatchRetryDelay, _siloStopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The loop ends at its next turn.
                }
            }
        }
    }

    private sealed class Lease(LeasedConnectionLimiter owner) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? owner.ReleaseAsync() : ValueTask.CompletedTask;
    }
}

namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// A time limit on work done with a storage's connections that does not count the time spent waiting for one. A file's
/// header read (Scanning:FileTimeout) is its own work; waiting behind the rest of the storage for a connection, or for
/// the cluster to move the storage's lease table after a silo died, is not. The pools pause the current budget while
/// their caller waits (<see cref="PauseCurrent"/>); the waiting itself is bounded by a longer limit of its own.
/// </summary>
/// <remarks>
/// The budget is ambient (an <see cref="AsyncLocal{T}"/>) because the calls between the one who sets the limit (a
/// FileGrain) and the one who waits (a pool, several layers down in a protocol client) carry only a cancellation token.
/// </remarks>
public sealed class ConnectionTimeBudget : IDisposable
{
    private static readonly AsyncLocal<ConnectionTimeBudget?> Ambient = new();

    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _working;
    private readonly CancellationTokenSource _waiting;
    private readonly CancellationTokenSource _either;
    private readonly ConnectionTimeBudget? _outer;
    private readonly Lock _gate = new();
    private TimeSpan _remaining;
    private long _runningSince;
    private int _waits;
    private bool _disposed;

    private ConnectionTimeBudget(TimeSpan limit, TimeSpan longestWait, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(longestWait, TimeSpan.Zero);
        _time = time;
        Limit = limit;
        LongestWait = longestWait;
        _remaining = limit;
        _runningSince = time.GetTimestamp();
        _working = new CancellationTokenSource(limit, time);
        // Work and waiting together never exceed both limits added: a lease that never comes ends the wait too.
        _waiting = new CancellationTokenSource(limit + longestWait, time);
        _either = CancellationTokenSource.CreateLinkedTokenSource(_working.Token, _waiting.Token);
        _outer = Ambient.Value;
    }

    /// <summary>The budget of the work in progress on this flow, if any.</summary>
    public static ConnectionTimeBudget? Current => Ambient.Value;

    /// <summary>How long the work may take, waits for connections excluded.</summary>
    public TimeSpan Limit { get; }

    /// <summary>How long the work may wait for connections, in all.</summary>
    public TimeSpan LongestWait { get; }

    /// <summary>Cancelled when the work took longer than <see cref="Limit"/>, or the whole longer than both limits.</summary>
    public CancellationToken Token => _either.Token;

    /// <summary>The budget ran out (see <see cref="Token"/>).</summary>
    public bool IsSpent => _either.IsCancellationRequested;

    /// <summary>It ran out while its work waited for a connection, not while it worked.</summary>
    public bool IsSpentWaiting => _waiting.IsCancellationRequested && !_working.IsCancellationRequested;

    /// <summary>Starts a budget for the work that follows on this flow (until disposed).</summary>
    public static ConnectionTimeBudget Start(TimeSpan limit, TimeSpan longestWait, TimeProvider? time = null)
    {
        var budget = new ConnectionTimeBudget(limit, longestWait, time ?? TimeProvider.System);
        Ambient.Value = budget;
        return budget;
    }

    /// <summary>Stops the current budget's clock while the caller waits for a connection; disposing restarts it.</summary>
    public static IDisposable? PauseCurrent() => Ambient.Value?.Pause();

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        if (ReferenceEquals(Ambient.Value, this))
            Ambient.Value = _outer;
        _either.Dispose();
        _waiting.Dispose();
        _working.Dispose();
    }

    private Waiting Pause()
    {
        lock (_gate)
        {
            // Several reads of one file (the data file and its sidecars) may wait at once: the clock stops with the first.
            if (_waits++ == 0 && !_disposed && !_working.IsCancellationRequested)
            {
                _remaining -= _time.GetElapsedTime(_runningSince);
                _working.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
        return new Waiting(this);
    }

    private void Resume()
    {
        lock (_gate)
        {
            if (--_waits == 0 && !_disposed && !_working.IsCancellationRequested)
            {
                _runningSince = _time.GetTimestamp();
                _working.CancelAfter(_remaining > TimeSpan.Zero ? _remaining : TimeSpan.Zero);
            }
        }
    }

    private sealed class Waiting(ConnectionTimeBudget budget) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                budget.Resume();
        }
    }
}

namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// The connection limit of one storage inside one process: at most N leases at once, fewer for a while after the server
/// reported too many connections. Waiters are served first come, first served; a cancelled wait takes no lease.
/// </summary>
public sealed class LocalConnectionLimiter : IConnectionLimiter
{
    /// <summary>Quiet time after which one more connection is allowed again following a refusal.</summary>
    public static readonly TimeSpan DefaultRegrowInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource<IAsyncDisposable>> _waiters = new();
    private readonly AdaptiveLimit _limit;
    private int _active;

    public LocalConnectionLimiter(int maxConnections, TimeSpan? regrowInterval = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        _limit = new AdaptiveLimit(maxConnections, regrowInterval ?? DefaultRegrowInterval, time ?? TimeProvider.System);
    }

    /// <summary>Leases granted and not yet released.</summary>
    public int ActiveCount
    {
        get { lock (_gate) return _active; }
    }

    /// <summary>How many leases may be held now.</summary>
    public int CurrentLimit
    {
        get
        {
            lock (_gate)
            {
                _limit.Refresh();
                return _limit.Current;
            }
        }
    }

    /// <summary>
    /// Someone waits for a lease. A pool never parks a connection while its own caller waits for a lease (it hands the
    /// connection over), so a waiter here belongs to another pool sharing this limit.
    /// </summary>
    public bool IsContended
    {
        get { lock (_gate) return _waiters.Count > 0; }
    }

    public ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<IAsyncDisposable> waiter;
        LinkedListNode<TaskCompletionSource<IAsyncDisposable>> node;
        lock (_gate)
        {
            if (_limit.Refresh())
                GrantWaitersLocked();
            if (_waiters.Count == 0 && _active < _limit.Current)
            {
                _active++;
                return ValueTask.FromResult<IAsyncDisposable>(new Lease(this));
            }
            waiter = new TaskCompletionSource<IAsyncDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }
        return new ValueTask<IAsyncDisposable>(WaitAsync(waiter, node, cancellationToken));
    }

    /// <summary>
    /// Called by the holder of the lease whose connection the server refused: the others still open are what the server
    /// accepts, so the limit drops to at most that.
    /// </summary>
    public void ReportTooManyConnections()
    {
        lock (_gate)
            _limit.Shrink(Math.Max(1, _active - 1));
    }

    private async Task<IAsyncDisposable> WaitAsync(
        TaskCompletionSource<IAsyncDisposable> waiter,
        LinkedListNode<TaskCompletionSource<IAsyncDisposable>> node,
        CancellationToken cancellationToken)
    {
        // Only a waiter still queued can be cancelled; a granted one keeps its lease and hands it back.
        await using (QueuedWaiter.CancelWhileQueued(_gate, node, cancellationToken))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _active--;
            _limit.Refresh();
            GrantWaitersLocked();
        }
    }

    private void GrantWaitersLocked()
    {
        while (_waiters.First is { } first && _active < _limit.Current)
        {
            _waiters.RemoveFirst();
            _active++;
            if (!first.Value.TrySetResult(new Lease(this)))
                _active--; // cancelled in the same instant: nobody owns this lease
        }
    }

    private sealed class Lease(LocalConnectionLimiter owner) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Release();
            return ValueTask.CompletedTask;
        }
    }
}

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Passes an HTTP client's connection leases from a finished request straight to the next waiting one, instead of giving
/// each back to the limiter and having every waiter ask again. In a cluster the limiter is the StorageGrain: asking costs
/// a grain call, and waiters that were refused retry on a growing delay, so with hundreds of files queued behind four
/// leases a released lease sat unused for up to half a second while the grain answered a storm of retries. Here waiters
/// queue locally in order, and at most as many limiter requests are in flight as leases are missing.
/// </summary>
/// <remarks>
/// A lease goes back to the limiter when nobody here waits for it, when it has been held for
/// <see cref="MaxHold"/> or the limiter says another holder with fewer leases waits (<see cref="IConnectionLimiter.OwesTurn"/>),
/// so silos share the storage, or when the server said "too many connections". The limit itself stays the limiter's: this class never holds more leases than it granted.
/// </remarks>
internal sealed class LeaseHandOff(IConnectionLimiter limiter, int maxLeases, TimeProvider? time = null)
{
    /// <summary>Longest time one lease is passed from request to request before it is given back to the limiter.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource<Grant>> _waiters = new();
    private int _held;
    private int _acquiring;

    /// <summary>Leases held from the limiter now (in use by a request or being handed over).</summary>
    public int Held
    {
        get { lock (_gate) return _held; }
    }

    /// <summary>Waits for a lease: one handed over by a finishing request, or a new one from the limiter.</summary>
    public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<Grant>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource<Grant>> node;
        int toStart;
        lock (_gate)
        {
            node = _waiters.AddLast(waiter);
            toStart = ReserveAcquisitionsLocked();
        }
        StartAcquisitions(toStart);
        Grant grant;
        using (cancellationToken.Register(() =>
               {
                   lock (_gate)
                   {
                       if (node.List is null)
                           return; // already granted: the caller gets the lease and gives it back
                       _waiters.Remove(node);
                   }
                   waiter.TrySetCanceled(cancellationToken);
               }))
        {
            grant = await waiter.Task.ConfigureAwait(false);
        }
        return new Lease(this, grant);
    }

    /// <summary>The request ended with "too many connections": this lease goes back to the limiter, not to a waiter.</summary>
    public static void Forfeit(IAsyncDisposable lease)
    {
        if (lease is Lease own)
            own.Forfeit();
    }

    /// <summary>How many more limiter requests to start: one per waiter not yet covered, within the leases still missing.</summary>
    private int ReserveAcquisitionsLocked()
    {
        int wanted = Math.Min(_waiters.Count - _acquiring, maxLeases - _held - _acquiring);
        if (wanted <= 0)
            return 0;
        _acquiring += wanted;
        return wanted;
    }

    private void StartAcquisitions(int count)
    {
        for (int i = 0; i < count; i++)
            _ = AcquireFromLimiterAsync();
    }

    private async Task AcquireFromLimiterAsync()
    {
        IAsyncDisposable lease;
        try
        {
            // Not tied to one caller's token: whoever waits first when it arrives gets it, or it goes straight back.
            lease = await limiter.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The first waiter gets the error; the others keep their turn and get a new request each.
            TaskCompletionSource<Grant>? first = null;
            int retries;
            lock (_gate)
            {
                _acquiring--;
                if (_waiters.First is { } node)
                {
                    _waiters.RemoveFirst();
                    first = node.Value;
                }
                retries = ReserveAcquisitionsLocked();
            }
            first?.TrySetException(e);
            StartAcquisitions(retries);
            return;
        }
        lock (_gate)
        {
            _acquiring--;
            _held++;
        }
        await PassOnAsync(new Grant(lease, _time.GetTimestamp())).ConfigureAwait(false);
    }

    /// <summary>Gives <paramref name="grant"/> to the first waiter, or back to the limiter when nobody waits or it is due.</summary>
    private async ValueTask PassOnAsync(Grant grant, bool forfeit = false)
    {
        int toStart = 0;
        bool release;
        while (true)
        {
            TaskCompletionSource<Grant>? next = null;
            lock (_gate)
            {
                release = forfeit || _waiters.Count == 0 || _time.GetElapsedTime(grant.AcquiredAt) >= MaxHold || limiter.OwesTurn;
                if (release)
                {
                    _held--;
                    toStart = ReserveAcquisitionsLocked();
                }
                else
                {
                    next = _waiters.First!.Value;
                    _waiters.RemoveFirst();
                }
            }
            if (release || next!.TrySetResult(grant))
                break;
            // That waiter was cancelled at the same moment: try the next one.
        }
        if (release)
        {
            await grant.Lease.DisposeAsync().ConfigureAwait(false);
            StartAcquisitions(toStart);
        }
    }

    private readonly record struct Grant(IAsyncDisposable Lease, long AcquiredAt);

    private sealed class Lease(LeaseHandOff owner, Grant grant) : IAsyncDisposable
    {
        private int _done;
        private bool _forfeit;

        public void Forfeit() => _forfeit = true;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _done, 1) == 0 ? owner.PassOnAsync(grant, _forfeit) : ValueTask.CompletedTask;
    }
}

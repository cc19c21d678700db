using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// The StorageGrain's grants of one storage's connection limit to its holders (one connection pool per silo).
/// <list type="bullet">
/// <item>An acquire that cannot be granted waits here (a long call), and a freed lease goes straight to the best waiter:
/// the holder with the fewest leases, then the oldest request. So no holder polls, and a silo with no connection is
/// served before a silo that wants a fifth.</item>
/// <item>Holders learn when others wait through a watch call that answers as soon as their <see cref="LeaseSignal"/>
/// changes. Pools then close the connections they keep idle (an idle connection keeps its lease; this is what made
/// scans over several silos stall for the pools' idle timeout) and, when a waiter has fewer leases, give one back
/// after its turn.</item>
/// <item>Counts are the holders' own monotonic counters merged by maximum, so late or reordered messages never
/// double-count, and a re-activated grain rebuilds the table from each holder's next message.</item>
/// <item>A table that may have lost its predecessor's holders (the grain re-activated after its silo died) grants nothing
/// for <see cref="HoldersReportWithin"/>: every holder with a lease keeps a watch call open and repeats a failed one
/// within about a second, so by then the table knows the survivors' leases instead of granting them a second time.</item>
/// </list>
/// Thread-safe (tests call it from many threads; in the grain it runs on the activation's scheduler).
/// </summary>
/// <param name="limit">The storage's connection limit now.</param>
/// <param name="holdersReportWithin">Overrides <see cref="HoldersReportWithin"/> (tests).</param>
public sealed class ConnectionLeaseTable(Func<int> limit, TimeSpan? holdersReportWithin = null)
{
    /// <summary>
    /// How long a re-activated table waits for the survivors' reports before it grants: a holder repeats a failed watch
    /// call after <see cref="LeasedConnectionLimiter.WatchRetryDelay"/>; the rest is room for a loaded machine.
    /// </summary>
    public static readonly TimeSpan HoldersReportWithin = LeasedConnectionLimiter.WatchRetryDelay + TimeSpan.FromSeconds(9);

    /// <summary>Holders with no lease, no waiter and no watch are forgotten after this long without a message.</summary>
    private static readonly long ForgetQuietHolderAfterMs = (long)TimeSpan.FromMinutes(5).TotalMilliseconds;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);
    private readonly List<Waiter> _waiters = [];
    private readonly TimeSpan _holdPeriod = holdersReportWithin ?? HoldersReportWithin;
    private long _requests;
    private long _grantsHeldUntil;
    private bool _grantedAny;
    private Timer? _holdTimer;

    /// <summary>Leases held now, all holders together.</summary>
    public int Total
    {
        get { lock (_gate) return TotalLocked(); }
    }

    /// <summary>Acquire calls waiting now.</summary>
    public int Waiting
    {
        get { lock (_gate) return _waiters.Count; }
    }

    /// <summary>One line for the logs: every holder's leases and whether it watches, and the waiters.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            var holders = _holders.Select(h => $"{h.Key}={h.Value.Held}{(h.Value.Watch is null ? "" : "w")}");
            var waiters = _waiters.GroupBy(w => w.HolderId, StringComparer.Ordinal).Select(g => $"{g.Key}x{g.Count()}");
            return $"{TotalLocked()}/{limit()} held [{string.Join(", ", holders)}], waiting [{string.Join(", ", waiters)}]";
        }
    }

    /// <summary>No lease is granted while this is true (see <see cref="HoldGrantsForSurvivors"/>).</summary>
    public bool AwaitingSurvivors
    {
        get { lock (_gate) return AwaitingSurvivorsLocked(); }
    }

    /// <summary>
    /// Grants nothing for <see cref="HoldersReportWithin"/> from now: called when this table may have lost holders that still
    /// hold leases (the grain resumed a running scan after its silo died), and by the table itself when a holder it never
    /// granted anything to reports leases. Waiters are served when the period ends.
    /// </summary>
    public void HoldGrantsForSurvivors()
    {
        lock (_gate)
            HoldGrantsLocked();
    }

    /// <summary>
    /// The limit changed (an administrator's setting): a higher one serves the waiters now, a lower one tells every holder
    /// to give connections back (<see cref="LeaseSignal.OverLimit"/>) instead of waiting for them to close by themselves.
    /// </summary>
    public void LimitChanged()
    {
        lock (_gate)
        {
            GrantFreeLocked();
            NotifyWatchersLocked();
        }
    }

    /// <summary>Leases <paramref name="holderId"/> holds as counted here.</summary>
    public int HeldBy(string holderId)
    {
        lock (_gate)
            return _holders.TryGetValue(holderId, out var holder) ? holder.Held : 0;
    }

    public async Task<LeaseAnswer> AcquireAsync(string holderId, long requestId, LeaseCounters counters, TimeSpan maxWait)
    {
        var waiter = new Waiter(holderId, requestId);
        lock (_gate)
        {
            Merge(holderId, counters);
            waiter.Order = ++_requests;
            _waiters.Add(waiter);
            GrantFreeLocked();
            if (!waiter.Done.Task.IsCompleted)
                NotifyWatchersLocked(); // a new waiter: holders keeping idle connections hear of it now
        }
        bool granted;
        try
        {
            granted = await waiter.Done.Task.WaitAsync(maxWait);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                // Granted in the same instant: keep the grant, the holder counts it from this answer.
                if (waiter.Done.TrySetResult(false))
                {
                    _waiters.Remove(waiter);
                    NotifyWatchersLocked();
                }
            }
            granted = await waiter.Done.Task;
        }
        lock (_gate)
            return new LeaseAnswer(granted, SignalLocked(holderId));
    }

    /// <summary>Ends a waiting request without a grant (a request already granted is given back by its holder).</summary>
    public void Abandon(string holderId, long requestId)
    {
        lock (_gate)
        {
            var waiter = _waiters.Find(w => w.HolderId == holderId && w.RequestId == requestId);
            if (waiter is null || !waiter.Done.TrySetResult(false))
                return;
            _waiters.Remove(waiter);
            NotifyWatchersLocked();
        }
    }

    public LeaseAnswer Release(string holderId, LeaseCounters counters)
    {
        lock (_gate)
        {
            Merge(holderId, counters);
            GrantFreeLocked();
            NotifyWatchersLocked();
            return new LeaseAnswer(false, SignalLocked(holderId));
        }
    }

    public async Task<LeaseAnswer> WatchAsync(string holderId, LeaseCounters counters, LeaseSignal known, TimeSpan maxWait)
    {
        TaskCompletionSource<bool> changed;
        lock (_gate)
        {
            var holder = Merge(holderId, counters);
            GrantFreeLocked();
            NotifyWatchersLocked();
            var now = SignalLocked(holderId);
            if (now != known)
                return new LeaseAnswer(false, now);
            // One watch per holder: a newer one replaces (and answers) the older.
            holder.Watch?.Changed.TrySetResult(true);
            changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            holder.Watch = new Watch(known, changed);
        }
        try
        {
            await changed.Task.WaitAsync(maxWait);
        }
        catch (TimeoutException)
        {
            // Nothing changed: the holder asks again (which also tells this table it is alive).
        }
        lock (_gate)
        {
            if (_holders.TryGetValue(holderId, out var holder) && holder.Watch?.Changed == changed)
                holder.Watch = null;
            return new LeaseAnswer(false, SignalLocked(holderId));
        }
    }

    /// <summary>Drops holders <paramref name="isGone"/> names (their silo died): their leases go to the waiters.</summary>
    /// <returns>The holders dropped.</returns>
    public IReadOnlyList<string> Forget(Func<string, bool> isGone)
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            var gone = _holders
                .Where(h => isGone(h.Key) || (h.Value.Held == 0 && h.Value.Watch is null && now - h.Value.LastSeen > ForgetQuietHolderAfterMs
                    && !_waiters.Any(w => w.HolderId == h.Key)))
                .Select(h => h.Key)
                .ToList();
            if (gone.Count == 0)
                return gone;
            foreach (var id in gone)
            {
                _holders[id].Watch?.Changed.TrySetResult(true);
                _holders.Remove(id);
                foreach (var waiter in _waiters.Where(w => w.HolderId == id).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult(false);
                }
            }
            GrantFreeLocked();
            NotifyWatchersLocked();
            return gone;
        }
    }

    /// <summary>Gives free capacity (after a release, a lowered count, or a limit that grew back) to the waiters.</summary>
    public void GrantFree()
    {
        lock (_gate)
        {
            GrantFreeLocked();
            NotifyWatchersLocked();
        }
    }

    private Holder Merge(string holderId, LeaseCounters counters)
    {
        if (!_holders.TryGetValue(holderId, out var holder))
        {
            // Leases this table never granted: an earlier activation did, so other holders of it may report too.
            if (counters.GrantsReceived > counters.ReleasesSent && _grantedAny is false)
                HoldGrantsLocked();
            holder = new Holder();
            _holders[holderId] = holder;
        }
        holder.Given = Math.Max(holder.Given, counters.GrantsReceived);
        holder.Released = Math.Max(holder.Released, counters.ReleasesSent);
        holder.LastSeen = Environment.TickCount64;
        return holder;
    }

    private void HoldGrantsLocked()
    {
        _grantsHeldUntil = Environment.TickCount64 + (long)_holdPeriod.TotalMilliseconds;
        _holdTimer?.Dispose();
        // A little after the period, so the check in GrantFreeLocked sees it over.
        _holdTimer = new Timer(_ => GrantFree(), null, _holdPeriod + TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
    }

    private bool AwaitingSurvivorsLocked() => Environment.TickCount64 < _grantsHeldUntil;

    private void GrantFreeLocked()
    {
        if (AwaitingSurvivorsLocked())
            return;
        int max = limit();
        while (_waiters.Count > 0 && TotalLocked() < max)
        {
            var best = _waiters.MinBy(w => (HeldLocked(w.HolderId), w.Order))!;
            _waiters.Remove(best);
            if (best.Done.TrySetResult(true))
            {
                _holders[best.HolderId].Given++;
                _grantedAny = true;
            }
        }
    }

    private void NotifyWatchersLocked()
    {
        foreach (var (id, holder) in _holders)
        {
            if (holder.Watch is { } watch && SignalLocked(id) != watch.Known)
            {
                holder.Watch = null;
                watch.Changed.TrySetResult(true);
            }
        }
    }

    private LeaseSignal SignalLocked(string holderId)
    {
        int held = HeldLocked(holderId);
        bool othersWaiting = false, owesTurn = false;
        foreach (var waiter in _waiters)
        {
            if (waiter.HolderId == holderId)
                continue;
            othersWaiting = true;
            int theirs = HeldLocked(waiter.HolderId);
            // A waiter with none always gets a turn (every silo keeps moving); otherwise only a gap of two is evened out,
            // so a spare lease does not bounce between silos (each move costs a login).
            if (theirs < held && (theirs == 0 || theirs + 1 < held))
                owesTurn = true;
        }
        return held == 0 ? LeaseSignal.Quiet : new LeaseSignal(othersWaiting, owesTurn, TotalLocked() > limit());
    }

    private int HeldLocked(string holderId) => _holders.TryGetValue(holderId, out var holder) ? holder.Held : 0;

    private int TotalLocked()
    {
        int total = 0;
        foreach (var holder in _holders.Values)
            total += holder.Held;
        return total;
    }

    private sealed class Holder
    {
        public long Given;
        public long Released;
        public long LastSeen;
        public Watch? Watch;

        public int Held => (int)Math.Max(0, Given - Released);
    }

    private sealed record Watch(LeaseSignal Known, TaskCompletionSource<bool> Changed);

    private sealed class Waiter(string holderId, long requestId)
    {
        public string HolderId { get; } = holderId;

        public long RequestId { get; } = requestId;

        public long Order { get; set; }

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

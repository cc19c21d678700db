using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pcrs.Grains.Storage.Pooling;

/// <summary>
/// Keeps the open connections of one storage for reuse. A connection is opened only after the
/// <see cref="IConnectionLimiter"/> granted a lease, and the lease is released when the connection closes, so the storage's
/// limit holds whatever the callers do. Idle connections are reused last-in first-out (the warmest first), checked before
/// reuse, and closed after <see cref="ConnectionPoolOptions.IdleTimeout"/>. A "too many connections" refusal lowers the
/// pool's own limit, and the caller then waits for a connection to come back instead of failing; the limit climbs back
/// one step per quiet <see cref="ConnectionPoolOptions.RegrowInterval"/>.
/// </summary>
/// <remarks>
/// Idle connections keep their lease. When the limiter says another holder waits (<see cref="IConnectionLimiter.IsContended"/>:
/// a pool on another silo, or another pool of this process), a connection nobody here waits for is closed at once
/// instead of idling, and idle ones are closed within <see cref="ContentionSweepPeriod"/>; when the waiter has fewer
/// leases (<see cref="IConnectionLimiter.OwesTurn"/>), a connection that served <see cref="ConnectionPoolOptions.TurnLength"/>
/// is given back even with callers waiting here. Without this, pools on several silos starved each other until the
/// idle timeout.
/// </remarks>
public sealed partial class ConnectionPool<TConnection> : IAsyncDisposable where TConnection : class
{
    private readonly Func<CancellationToken, Task<TConnection>> _connect;
    private readonly Func<TConnection, TimeSpan, CancellationToken, ValueTask<bool>>? _isHealthy;
    private readonly Func<TConnection, ValueTask>? _close;
    private readonly IConnectionLimiter _limiter;
    private readonly ConnectionPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Stack<Slot> _idle = new();
    private readonly LinkedList<TaskCompletionSource<Slot?>> _waiters = new();
    private readonly LinkedList<TaskCompletionSource<Slot>> _creators = new();
    private readonly AdaptiveLimit _limit;
    private readonly ITimer _sweeper;

    /// <summary>How often idle connections are checked against contention (closing them frees leases for other silos).</summary>
    public static readonly TimeSpan ContentionSweepPeriod = TimeSpan.FromMilliseconds(500);
    private int _open;
    private bool _disposed;

    /// <param name="connect">Opens and logs in one connection; throws <see cref="StorageException"/> on failure.</param>
    /// <param name="limiter">Grants the right to open one connection to the storage.</param>
    /// <param name="options">Limits and timeouts of the pool.</param>
    /// <param name="isHealthy">Checks an idle connection (and how long it idled) before reuse; null trusts it.</param>
    /// <param name="close">Closes a connection; null disposes it when it is disposable.</param>
    public ConnectionPool(
        Func<CancellationToken, Task<TConnection>> connect,
        IConnectionLimiter limiter,
        ConnectionPoolOptions options,
        Func<TConnection, TimeSpan, CancellationToken, ValueTask<bool>>? isHealthy = null,
        Func<TConnection, ValueTask>? close = null,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.IdleTimeout, TimeSpan.Zero, nameof(options));
        _connect = connect;
        _limiter = limiter;
        _options = options;
        _isHealthy = isHealthy;
        _close = close;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _limit = new AdaptiveLimit(options.MaxConnections, options.RegrowInterval, _time);
        var sweepPeriod = TimeSpan.FromTicks(Math.Min(ContentionSweepPeriod.Ticks, Math.Max(options.IdleTimeout.Ticks / 2, TimeSpan.TicksPerMillisecond)));
        _sweeper = _time.CreateTimer(static state => _ = ((ConnectionPool<TConnection>)state!).SweepAsync(), this, sweepPeriod, sweepPeriod);
    }

    /// <summary>Connections open now (busy, idle or being opened).</summary>
    public int OpenCount
    {
        get { lock (_gate) return _open; }
    }

    /// <summary>Connections waiting in the pool for reuse.</summary>
    public int IdleCount
    {
        get { lock (_gate) return _idle.Count; }
    }

    /// <summary>How many connections the pool allows itself now (lowered after refusals).</summary>
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

    /// <summary>Runs <paramref name="operation"/> on a rented connection, discarding the connection when it fails.</summary>
    public async Task<TResult> RunAsync<TResult>(Func<TConnection, CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken)
    {
        var rented = await RentAsync(cancellationToken).ConfigureAwait(false);
        await using (rented.ConfigureAwait(false))
        {
            try
            {
                return await operation(rented.Connection, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (_options.ShouldDiscard(ex))
            {
                rented.MarkBroken();
                throw;
            }
        }
    }

    /// <summary>Rents a connection: an idle one that passes the health check, a new one within the limits, or the next one returned.</summary>
    public async Task<PooledConnection<TConnection>> RentAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Slot? candidate = null;
            bool mayCreate = false;
            TaskCompletionSource<Slot?>? waiter = null;
            LinkedListNode<TaskCompletionSource<Slot?>>? node = null;
            List<Slot>? expired = null;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_limit.Refresh())
                    GrantWaitersLocked();
                while (candidate is null && _idle.TryPop(out var idle))
                {
                    if (IdleFor(idle) >= _options.IdleTimeout)
                    {
                        _open--;
                        (expired ??= []).Add(idle);
                    }
                    else
                    {
                        candidate = idle;
                    }
                }
                if (candidate is null)
                {
                    if (_waiters.Count == 0 && _open < _limit.Current)
                    {
                        _open++;
                        mayCreate = true;
                    }
                    else
                    {
                        waiter = new TaskCompletionSource<Slot?>(TaskCreationOptions.RunContinuationsAsynchronously);
                        node = _waiters.AddLast(waiter);
                    }
                }
                if (expired is not null)
                    GrantWaitersLocked();
            }
            if (expired is not null)
            {
                foreach (var slot in expired)
                    await CloseAsync(slot).ConfigureAwait(false);
            }

            if (waiter is not null)
            {
                // Either a returned connection or the right to open one (null). Waiting is not the caller's work.
                using (ConnectionTimeBudget.PauseCurrent())
                    candidate = await WaitAsync(waiter, node!, cancellationToken).ConfigureAwait(false);
                mayCreate = candidate is null;
            }

            if (mayCreate)
            {
                var (created, handedOver) = await TryCreateAsync(cancellationToken).ConfigureAwait(false);
                if (created is not null)
                    return new PooledConnection<TConnection>(this, created);
                // Null: refused as one too many while others are open, so wait for one of them.
                candidate = handedOver;
            }

            if (candidate is not null)
            {
                if (await IsHealthyAsync(candidate, cancellationToken).ConfigureAwait(false))
                    return new PooledConnection<TConnection>(this, candidate);
                await ReturnAsync(candidate, broken: true).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Slot[] idle;
        TaskCompletionSource<Slot?>[] waiters;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
            _open -= idle.Length;
            waiters = [.. _waiters];
            _waiters.Clear();
        }
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var waiter in waiters)
            waiter.TrySetException(new ObjectDisposedException(GetType().Name));
        foreach (var slot in idle)
            await CloseAsync(slot).ConfigureAwait(false);
    }

    internal async ValueTask ReturnAsync(Slot slot, bool broken)
    {
        bool close;
        // Read before taking the pool's lock: the limiter has its own.
        bool contended = _limiter.IsContended;
        bool overLimit = _limiter.OverLimit;
        bool turnServed = IsTurnServed(slot);
        lock (_gate)
        {
            _limit.Refresh();
            bool localDemand = _creators.Count > 0 || _waiters.Count > 0;
            close = broken || _disposed || _open > _limit.Current || turnServed || overLimit || (contended && !localDemand);
            if (close)
            {
                _open--;
                GrantWaitersLocked();
            }
            else if (_creators.First is { } creator)
            {
                // A caller still waiting for a lease takes this connection instead: the limiter may never grant
                // that lease while this pool's own connections hold them all.
                _creators.RemoveFirst();
                creator.Value.SetResult(slot);
            }
            else if (_waiters.First is { } first)
            {
                // Hand the connection straight to the oldest waiter, so idle connections and waiters never coexist.
                _waiters.RemoveFirst();
                first.Value.SetResult(slot);
            }
            else
            {
                slot.LastUsed = _time.GetTimestamp();
                _idle.Push(slot);
            }
        }
        if (close)
            await CloseAsync(slot).ConfigureAwait(false);
    }

    /// <summary>A holder with fewer leases waits and this connection had its turn: it goes back (closed) at its next return.</summary>
    internal bool IsTurnServed(Slot slot) =>
        _limiter.OwesTurn && _time.GetElapsedTime(slot.OpenedAt) >= ConnectionTurn.Length(_options.TurnLength, slot.OpenCost);

    private async ValueTask<bool> IsHealthyAsync(Slot slot, CancellationToken cancellationToken)
    {
        if (_isHealthy is null)
            return true;
        try
        {
            return await _isHealthy(slot.Connection, IdleFor(slot), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogDebug(ex, "An idle connection failed its health check and is closed.");
            return false;
        }
    }

    /// <summary>One open connection and the lease that allowed it.</summary>
    internal sealed class Slot(TConnection connection, IAsyncDisposable lease, long openedAt)
    {
        public TConnection Connection { get; } = connection;

        public IAsyncDisposable Lease { get; } = lease;

        /// <summary>When the connection was opened (<see cref="TimeProvider.GetTimestamp"/>): its turn is counted from there.</summary>
        public long OpenedAt { get; } = openedAt;

        /// <summary>How long opening the connection took: what giving it up costs the next holder.</summary>
        public TimeSpan OpenCost { get; init; }

        public long LastUsed { get; set; }
    }
}

using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// A silo's share of a storage's connection limit: before opening a connection (or, for HTTP, before each request) the
/// pool asks the StorageGrain for a lease; disposing the lease gives it back. Each grain call tells the grain how many
/// leases this silo holds, under a local lock so the number is exact, which lets a re-activated StorageGrain rebuild its
/// grant table from what silos report.
/// </summary>
/// <remarks>
/// A lease released while other users on this silo wait for one is handed to the first of them directly, without a grain
/// call, for up to <see cref="HandOffPeriod"/> after the grain granted it; then it goes back to the grain so that other
/// silos get their turn. Waiters queue here (first come, first served) instead of each polling the grain: with HTTP, where
/// every request holds a lease, polling made the grain a per-file hot spot and left files sleeping in back-off.
/// </remarks>
public sealed class LeasedConnectionLimiter(IStorageGrain storage, string siloId, TimeProvider? time = null) : IConnectionLimiter
{
    /// <summary>How long one grant may pass from user to user on this silo before it is returned to the grain.</summary>
    public static readonly TimeSpan HandOffPeriod = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private readonly LinkedList<TaskCompletionSource<Lease?>> _waiters = new();
    private int _held;

    /// <summary>Leases this silo holds on the storage now (in use or being handed over).</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Users of this silo waiting for a lease.</summary>
    public int Waiting
    {
        get { lock (_queueLock) return _waiters.Count; }
    }

    public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await TryAcquireFromGrainAsync(cancellationToken) is { } granted)
                return granted;

            // The limit is reached somewhere in the cluster. Queue for a lease released on this silo; without any lease
            // here none will come locally, so ask the grain again after a growing delay (another silo may release one).
            var waiter = new TaskCompletionSource<Lease?>(TaskCreationOptions.RunContinuationsAsynchronously);
            LinkedListNode<TaskCompletionSource<Lease?>> node;
            lock (_queueLock)
                node = _waiters.AddLast(waiter);
            var patience = Held > 0 ? LongestRetryDelay * 4 : delay;
            Lease? handed;
            try
            {
                handed = await waiter.Task.WaitAsync(patience, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                lock (_queueLock)
                {
                    if (node.List is not null)
                        _waiters.Remove(node);
                }
                // Handed over in the same instant: the lease is ours (give it back if we are cancelled).
                if (waiter.Task.IsCompletedSuccessfully)
                {
                    handed = waiter.Task.Result;
                    if (e is OperationCanceledException)
                    {
                        if (handed is not null)
                            await handed.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                }
                else if (e is OperationCanceledException)
                {
                    throw;
                }
                else
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
                    continue;
                }
            }
            if (handed is not null)
                return handed;
            // null: a lease just went back to the grain; ask for it now, ahead of the back-off.
            delay = FirstRetryDelay;
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
                await storage.ReportTooManyConnections(siloId, Held);
            }
            catch (Exception)
            {
                // Best effort: the grant table heals itself on the next acquire.
            }
        }
    }

    private async Task<Lease?> TryAcquireFromGrainAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await storage.TryAcquireConnection(siloId, _held))
                return null;
            _held++;
            return new Lease(this, _time.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask ReleaseAsync(long grantedAt)
    {
        if (_time.GetElapsedTime(grantedAt) < HandOffPeriod)
        {
            lock (_queueLock)
            {
                // Removed from the queue under the lock, so no timeout or cancellation can complete it first.
                if (_waiters.First is { } first)
                {
                    _waiters.RemoveFirst();
                    first.Value.SetResult(new Lease(this, grantedAt));
                    return;
                }
            }
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _held--;
            await storage.ReleaseConnection(siloId, _held);
        }
        catch (Exception)
        {
            // The grain is unreachable (its silo is moving): the next acquire reports the exact count again.
        }
        finally
        {
            _gate.Release();
        }

        // The lease is back with the grain: the first local waiter asks for it at once (other silos compete fairly there).
        lock (_queueLock)
        {
            if (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                first.Value.SetResult(null);
            }
        }
    }

    private sealed class Lease(LeasedConnectionLimiter owner, long grantedAt) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? owner.ReleaseAsync(grantedAt) : ValueTask.CompletedTask;
    }
}

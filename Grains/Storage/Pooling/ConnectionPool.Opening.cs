using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Pooling;

/// <summary>Opening a connection under a lease, and the callers waiting for one: their queue, their grants and what a cancelled waiter gives back.</summary>
public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Opens one connection under a lease. While the lease is pending, a connection returned to the pool is taken instead
    /// (HandedOver). Both null: the server refused it as one too many while others are open.
    /// </summary>
    private async Task<(Slot? Created, Slot? HandedOver)> TryCreateAsync(CancellationToken cancellationToken)
    {
        IAsyncDisposable? lease = null;
        try
        {
            var handoff = new TaskCompletionSource<Slot>(TaskCreationOptions.RunContinuationsAsynchronously);
            LinkedListNode<TaskCompletionSource<Slot>> node;
            lock (_gate)
            {
                // A connection may have come back between the decision to open one and now; it went idle because no
                // creator was registered yet. Take it, or it would keep its lease while this caller waits for one.
                if (_idle.TryPop(out var idle))
                {
                    _open--;
                    GrantWaitersLocked();
                    return (null, idle);
                }
                node = _creators.AddLast(handoff);
            }
            using var acquireCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var leaseTask = _limiter.AcquireAsync(acquireCancellation.Token).AsTask();
            using (ConnectionTimeBudget.PauseCurrent())
                await Task.WhenAny(leaseTask, handoff.Task).ConfigureAwait(false);
            bool handedOver;
            lock (_gate)
            {
                handedOver = node.List is null;
                if (!handedOver)
                    _creators.Remove(node);
            }
            if (handedOver)
            {
                await acquireCancellation.CancelAsync().ConfigureAwait(false);
                await DropLeaseAsync(leaseTask).ConfigureAwait(false);
                lock (_gate)
                {
                    _open--; // the right to open a connection is not needed any more
                    GrantWaitersLocked();
                }
                return (null, await handoff.Task.ConfigureAwait(false));
            }

            lease = await leaseTask.ConfigureAwait(false);
            long connecting = _time.GetTimestamp();
            var connection = await _connect(cancellationToken).ConfigureAwait(false);
            long now = _time.GetTimestamp();
            return (new Slot(connection, lease, now) { LastUsed = now, OpenCost = _time.GetElapsedTime(connecting, now) }, null);
        }
        catch (Exception ex) when (lease is not null && _options.IsTooManyConnections(ex))
        {
            // Report while still holding the lease: the limiter counts the refused attempt among its active leases.
            _limiter.ReportTooManyConnections();
            await lease.DisposeAsync().ConfigureAwait(false);
            int othersOpen, limit;
            lock (_gate)
            {
                _open--;
                othersOpen = _open;
                _limit.Shrink(Math.Max(1, othersOpen));
                limit = _limit.Current;
                GrantWaitersLocked();
            }
            _logger.LogWarning("The server refused one more connection; this storage is now limited to {Limit} connection(s).", limit);
            if (othersOpen == 0)
                throw;
            return (null, null);
        }
        catch
        {
            if (lease is not null)
                await lease.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _open--;
                GrantWaitersLocked();
            }
            throw;
        }
    }

    /// <summary>Releases a lease that was being acquired when another connection came back instead.</summary>
    private static async Task DropLeaseAsync(Task<IAsyncDisposable> leaseTask)
    {
        try
        {
            var lease = await leaseTask.ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled before it was granted: nothing to release.
        }
    }

    private async Task<Slot?> WaitAsync(TaskCompletionSource<Slot?> waiter, LinkedListNode<TaskCompletionSource<Slot?>> node, CancellationToken cancellationToken)
    {
        // A waiter already served keeps what it got; it is handed back below.
        await using (QueuedWaiter.CancelWhileQueued(_gate, node, cancellationToken).ConfigureAwait(false))
        {
            var granted = await waiter.Task.ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                await GiveBackAsync(granted).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            return granted;
        }
    }

    private async ValueTask GiveBackAsync(Slot? granted)
    {
        if (granted is not null)
        {
            await ReturnAsync(granted, broken: false).ConfigureAwait(false);
            return;
        }
        lock (_gate)
        {
            _open--;
            GrantWaitersLocked();
        }
    }

    /// <summary>Gives free capacity to waiters as the right to open a connection.</summary>
    private void GrantWaitersLocked()
    {
        while (_waiters.First is { } first && _open < _limit.Current)
        {
            _waiters.RemoveFirst();
            _open++;
            first.Value.SetResult(null);
        }
    }
}

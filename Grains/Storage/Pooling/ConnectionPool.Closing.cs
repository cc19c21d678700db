using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Pooling;

/// <summary>Idle connections closed: after the idle timeout, at once under contention, and one by one with their lease.</summary>
public sealed partial class ConnectionPool<TConnection>
{
    private TimeSpan IdleFor(Slot slot) => _time.GetElapsedTime(slot.LastUsed);

    private async Task SweepAsync()
    {
        List<Slot>? expired = null;
        // Over the limit (lowered meanwhile), idle connections give their leases back like under contention.
        bool contended = _limiter.IsContended || _limiter.OverLimit;
        lock (_gate)
        {
            if (_disposed)
                return;
            if (_idle.Count > 0)
            {
                // The stack's bottom holds the oldest; keep the fresh ones in their order. Under contention none is kept:
                // another holder waits for the leases they hold.
                var keep = new List<Slot>();
                foreach (var slot in _idle)
                {
                    if (contended || IdleFor(slot) >= _options.IdleTimeout)
                        (expired ??= []).Add(slot);
                    else
                        keep.Add(slot);
                }
                if (expired is not null)
                {
                    _idle.Clear();
                    for (int i = keep.Count - 1; i >= 0; i--)
                        _idle.Push(keep[i]);
                    _open -= expired.Count;
                }
            }
            _limit.Refresh();
            GrantWaitersLocked();
        }
        if (expired is not null)
        {
            foreach (var slot in expired)
                await CloseAsync(slot).ConfigureAwait(false);
        }
    }

    private async ValueTask CloseAsync(Slot slot)
    {
        try
        {
            if (_close is not null)
                await _close(slot.Connection).ConfigureAwait(false);
            else if (slot.Connection is IAsyncDisposable asyncDisposable)
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            else if (slot.Connection is IDisposable disposable)
                disposable.Dispose();
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Closing a pooled connection failed; it is dropped anyway.");
        }
        finally
        {
            await slot.Lease.DisposeAsync().ConfigureAwait(false);
        }
    }
}

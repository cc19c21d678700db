using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// A silo's share of a storage's connection limit: before opening a connection the pool asks the StorageGrain for a
/// lease; disposing the lease gives it back. Each call tells the grain how many leases this silo holds, under a local
/// lock so the number is exact, which lets a re-activated StorageGrain rebuild its grant table from what silos report.
/// </summary>
public sealed class LeasedConnectionLimiter(IStorageGrain storage, string siloId) : IConnectionLimiter
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _held;

    /// <summary>Leases this silo holds on the storage now.</summary>
    public int Held => Volatile.Read(ref _held);

    public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (await storage.TryAcquireConnection(siloId, _held))
                {
                    _held++;
                    return new Lease(this);
                }
            }
            finally
            {
                _gate.Release();
            }
            // The limit is reached somewhere in the cluster: wait for a connection to close. Connections serve many files,
            // so this is rare, and the delay grows to keep the grain quiet.
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
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

    private async ValueTask ReleaseAsync()
    {
        await _gate.WaitAsync();
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
    }

    private sealed class Lease(LeasedConnectionLimiter owner) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? owner.ReleaseAsync() : ValueTask.CompletedTask;
    }
}

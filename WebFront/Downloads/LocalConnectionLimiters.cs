using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// Download connections per storage in this process, capped at Scanning:MaxConnectionsPerStorage, so a crowd of
/// downloaders cannot open more connections to an owner's server than the scanner itself would.
/// </summary>
public sealed class LocalConnectionLimiters(IOptions<StorageAccessOptions> options)
{
    private readonly ConcurrentDictionary<string, Limiter> _limiters = new(StringComparer.Ordinal);

    public IConnectionLimiter For(string storageIdentity) =>
        _limiters.GetOrAdd(storageIdentity, _ => new Limiter(options.Value.MaxConnectionsPerStorage));

    private sealed class Limiter(int max) : IConnectionLimiter
    {
        private readonly SemaphoreSlim _slots = new(max, max);

        public async ValueTask<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
        {
            await _slots.WaitAsync(cancellationToken);
            return new Release(_slots);
        }

        public void ReportTooManyConnections()
        {
            // The semaphore already bounds this process; the server's refusal surfaces to the downloader as a 503.
        }
    }

    private sealed class Release(SemaphoreSlim slots) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release();
            return ValueTask.CompletedTask;
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Bounds the FileGrain calls that this silo's DirectoryGrains have in flight towards one storage
/// (<see cref="ScanningOptions.FilesInFlightPerStorage"/>), whatever the number of its directories being scanned.
/// </summary>
/// <remarks>
/// A FileGrain waits for one of the storage's few connection leases inside its call. Bounded per directory only, a storage
/// with hundreds of directories queued hundreds of calls behind a handful of leases: on a busy cluster they outlived the
/// Orleans response timeout, were sent again (reading the same header twice) and some ended counted as errors although
/// their tile was read. Here the waiting happens in the DirectoryGrain, before the call, with no timeout to hit.
/// A slot is one batch of at most <see cref="BatchSize"/> files (<see cref="ScanningOptions.FilesPerBatch"/>), and a
/// storage has <see cref="ScanningOptions.FilesInFlightPerStorage"/> / <see cref="BatchSize"/> slots per silo, so the
/// files in flight stay within the bound whatever the batch size.
/// </remarks>
public sealed class FileFanOut(IOptions<ScanningOptions> options)
{
    // One small semaphore per storage this silo has scanned; never removed (a few hundred bytes per storage).
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);

    /// <summary>Files per FileGrain call: the configured batch, never more than the files allowed in flight per storage.</summary>
    public int BatchSize => Math.Min(options.Value.FilesPerBatch, options.Value.FilesInFlightPerStorage);

    /// <summary>Waits for a batch's slot towards <paramref name="storageKey"/>; dispose the result when the FileGrain call returned.</summary>
    public async ValueTask<IDisposable> EnterAsync(string storageKey, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(storageKey, _ => new SemaphoreSlim(Math.Max(1, options.Value.FilesInFlightPerStorage / BatchSize)));
        await slots.WaitAsync(cancellationToken);
        return new Slot(slots);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release();
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// Aggregates and emprises of deliverables, computed once per scan and kept in memory: the tiles under a storage only
/// change when a scan runs, so an entry stays valid while the storage's <see cref="ScanStamp"/> stays the same (one
/// primary-key lookup per use). While a scan is writing tiles, entries live at most
/// <see cref="WebFrontOptions.ScanDataCacheDuration"/>. Concurrent callers share one computation.
/// </summary>
public sealed class ScanDataSummaries(ICatalogueReader catalogue, IOptions<WebFrontOptions> options)
{
    /// <summary>Entries kept at most (distinct storage and start path pairs); past it the cache starts afresh.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<(string Kind, string Storage, string StartPath), Entry> _entries = new();

    private sealed record Entry(ScanStamp Stamp, DateTimeOffset CreatedAt, Lazy<Task<object?>> Value);

    public async Task<CatalogueAggregate?> SummarizeAsync(string storageIdentity, string startPath, CancellationToken cancellationToken) =>
        (CatalogueAggregate?)await GetAsync("aggregate", storageIdentity, startPath,
            async () => await catalogue.AggregateTilesAsync(storageIdentity, startPath, CancellationToken.None), cancellationToken);

    /// <summary>The union of the tile footprints as a GeoJSON geometry (see <see cref="Emprise"/>); null without footprints.</summary>
    public async Task<string?> EmpriseAsync(string storageIdentity, string startPath, CancellationToken cancellationToken) =>
        (string?)await GetAsync("emprise", storageIdentity, startPath, async () =>
        {
            var builder = new Emprise.Builder();
            await foreach (var footprint in catalogue.ListFootprintsAsync(storageIdentity, startPath, CancellationToken.None))
                builder.Add(footprint);
            // The union is CPU work (about a second for 100,000 tiles): off the request's thread.
            return await Task.Run(builder.ToGeoJson);
        }, cancellationToken);

    private async Task<object?> GetAsync(string kind, string storageIdentity, string startPath, Func<Task<object?>> compute, CancellationToken cancellationToken)
    {
        var stamp = await catalogue.GetScanStampAsync(storageIdentity, cancellationToken);
        if (stamp is null)
            return await compute().WaitAsync(cancellationToken);
        var key = (kind, storageIdentity, startPath);
        var now = DateTimeOffset.UtcNow;
        var entry = _entries.AddOrUpdate(key,
            _ => NewEntry(stamp, now, compute),
            (_, existing) => IsFresh(existing, stamp, now) ? existing : NewEntry(stamp, now, compute));
        if (_entries.Count > MaxEntries)
            _entries.Clear();
        try
        {
            // The computation is shared: one caller giving up must not cancel it for the others.
            return await entry.Value.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed computation is not kept: the next caller tries again.
            _entries.TryRemove(new KeyValuePair<(string, string, string), Entry>(key, entry));
            throw;
        }
    }

    private bool IsFresh(Entry entry, ScanStamp stamp, DateTimeOffset now) =>
        entry.Stamp == stamp && (stamp.Settled || now - entry.CreatedAt < options.Value.ScanDataCacheDuration);

    private static Entry NewEntry(ScanStamp stamp, DateTimeOffset now, Func<Task<object?>> compute) =>
        new(stamp, now, new Lazy<Task<object?>>(compute, LazyThreadSafetyMode.ExecutionAndPublication));
}

using System.Runtime.CompilerServices;

namespace Pcrs.Grains.Catalogue;

/// <summary><see cref="ICatalogueReader"/> in memory, with the same path and error rules as the PostgreSQL one.</summary>
public sealed partial class InMemoryCatalogue : ICatalogueReader
{
    public Task<CatalogueFile?> FindFileAsync(string storageKey, string path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            if (!data.Entries.TryGetValue(path, out var seen) || seen.Entry.Kind != EntryKind.File)
                return Task.FromResult<CatalogueFile?>(null);
            // A data file's tile holds its exact size and time (the listing's may be rounded, and the entry then keeps none).
            var tile = data.Tiles.GetValueOrDefault(path);
            return Task.FromResult<CatalogueFile?>(new CatalogueFile(path, tile?.Size ?? seen.Entry.Size, tile?.ModifiedAt ?? seen.Entry.ModifiedAt));
        }
    }

    public Task<CatalogueAggregate?> AggregateTilesAsync(string storageKey, string startPath, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var tiles = ReadableTilesUnder(storageKey, startPath).ToList();
            if (tiles.Count == 0)
                return Task.FromResult<CatalogueAggregate?>(null);
            var bounded = tiles.Where(t => t.Bounds is not null).Select(t => t.Bounds!.Value).ToList();
            GeoBox? extent = bounded.Count == 0 ? null
                : bounded.Aggregate((a, b) => a.Union(b));
            var bands = Shared(tiles.Select(t => string.Join(',', t.BandNames)));
            return Task.FromResult<CatalogueAggregate?>(new CatalogueAggregate(
                tiles.Count,
                tiles.Sum(t => t.Size ?? 0),
                Shared(tiles.Select(t => t.Format)),
                Shared(tiles.Select(t => t.Compression)),
                tiles.Where(t => t.Epsg is not null).Select(t => t.Epsg).Distinct().Count() == 1 ? tiles.First(t => t.Epsg is not null).Epsg : null,
                bands is null ? [] : bands.Split(',', StringSplitOptions.RemoveEmptyEntries),
                extent,
                tiles.Max(t => t.ScannedAt)));
        }
    }

    public Task<ScanStamp?> GetScanStampAsync(string storageKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_storages.TryGetValue(storageKey, out var row)
                ? new ScanStamp(row.ScanNumber, row.Status, row.LastSuccessAt)
                : null);
        }
    }

    public async IAsyncEnumerable<string> ListFootprintsAsync(string storageKey, string startPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<string> footprints;
        lock (_lock)
            footprints = ReadableTilesUnder(storageKey, startPath).Select(t => t.FootprintGeoJson).OfType<string>().ToList();
        foreach (var footprint in footprints)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return footprint;
        }
        await Task.CompletedTask;
    }

    public Task<SubtreeProgress> ReadSubtreeProgressAsync(string storageKey, string startPath, long scanNumber, CancellationToken cancellationToken = default) =>
        SubtreeProgressQuery.ReadAsync(this, storageKey, startPath, scanNumber, cancellationToken);

    public async IAsyncEnumerable<CatalogueDirectoryError> ListDirectoryErrorsAsync(string storageKey, string startPath, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<CatalogueDirectoryError> errors;
        lock (_lock)
        {
            errors = Data(storageKey).Directories
                .Where(d => d.Value.ListingFailed && CataloguePaths.IsUnder(d.Key, startPath))
                .OrderBy(d => d.Key, StringComparer.Ordinal).Take(Math.Max(0, limit))
                .Select(d => new CatalogueDirectoryError(d.Key, d.Value.ListingError ?? "")).ToList();
        }
        foreach (var error in errors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return error;
        }
        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<CatalogueFileError> ListFileErrorsAsync(string storageKey, string startPath, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<CatalogueFileError> errors;
        lock (_lock)
        {
            string self = startPath.TrimEnd('/');
            errors = Data(storageKey).Tiles.Values
                .Where(t => t.Error is not null && t.Path != self && CataloguePaths.IsUnder(t.Path, startPath))
                .OrderBy(t => t.Path, StringComparer.Ordinal).Take(Math.Max(0, limit))
                .Select(t => new CatalogueFileError(t.Path, t.Size, t.Error!)).ToList();
        }
        foreach (var error in errors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return error;
        }
        await Task.CompletedTask;
    }

    /// <summary>Tiles strictly under the start path, without read errors (call under the lock).</summary>
    private IEnumerable<TileRow> ReadableTilesUnder(string storageKey, string startPath)
    {
        string self = startPath.TrimEnd('/');
        return Data(storageKey).Tiles.Values.Where(t => t.Error is null && t.Path != self && CataloguePaths.IsUnder(t.Path, startPath));
    }

    /// <summary>The value every item that has one shares (nulls ignored), or null when they differ: SQL's min = max rule.</summary>
    private static string? Shared(IEnumerable<string?> values)
    {
        var distinct = values.OfType<string>().Distinct(StringComparer.Ordinal).Take(2).ToList();
        return distinct.Count == 1 ? distinct[0] : null;
    }
}

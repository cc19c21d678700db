using System.Runtime.CompilerServices;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// The catalogue in process memory, with the same semantics as <see cref="PostgresCatalogue"/>: used by the one-shot
/// scan verb (no database) and by tests of the grains. One lock; fine for the sizes a single run handles.
/// </summary>
public sealed partial class InMemoryCatalogue : ICatalogue
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StorageRow> _storages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeclarationRow> _declarations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, long), ScanRow> _scans = [];
    private readonly Dictionary<string, StorageData> _data = new(StringComparer.Ordinal);

    private sealed class StorageData
    {
        public SortedDictionary<string, (EntryRow Entry, long LastSeenScan)> Entries { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<string>> Children { get; } = new(StringComparer.Ordinal);
        public SortedDictionary<string, TileRow> Tiles { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, DirectoryStateRow> Directories { get; } = new(StringComparer.Ordinal);
    }

    public Task<StorageRow?> GetStorageAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_storages.GetValueOrDefault(storageKey));
    }

    public Task SaveStorageAsync(StorageRow storage, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            string? pinned = _storages.GetValueOrDefault(storage.StorageKey)?.HostKey;
            _storages[storage.StorageKey] = storage with { HostKey = pinned ?? storage.HostKey };
        }
        return Task.CompletedTask;
    }

    public Task PinHostKeyAsync(string storageKey, string fingerprint, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_storages.TryGetValue(storageKey, out var row) && row.HostKey is null)
                _storages[storageKey] = row with { HostKey = fingerprint };
        }
        return Task.CompletedTask;
    }

    public Task RecordScanAsync(ScanRow scan, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _scans[(scan.StorageKey, scan.ScanNumber)] = scan;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<KnownEntry>> GetChildrenAsync(string storageKey, string directoryPath, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            var rows = new List<KnownEntry>();
            if (data.Children.TryGetValue(directoryPath, out var children))
            {
                foreach (var path in children)
                {
                    var entry = data.Entries[path].Entry;
                    TileStamp? stamp = data.Tiles.TryGetValue(path, out var tile)
                        ? new TileStamp(tile.Size, tile.ModifiedAt, tile.ETag, tile.SidecarSignature, tile.Error is not null, tile.ListingStamp, tile.FactsSource)
                        : null;
                    rows.Add(new KnownEntry(entry, stamp));
                }
            }
            return Task.FromResult<IReadOnlyList<KnownEntry>>(rows);
        }
    }

    public Task<int> ApplyListingAsync(string storageKey, string directoryPath, IReadOnlyList<EntryRow> listed, long scanNumber, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            if (!data.Children.TryGetValue(directoryPath, out var children))
                data.Children[directoryPath] = children = new HashSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in listed)
            {
                data.Entries[entry.Path] = (entry, scanNumber);
                children.Add(entry.Path);
                seen.Add(entry.Path);
            }
            var removed = children.Where(path => !seen.Contains(path)).ToList();
            foreach (var path in removed)
                RemoveEntry(data, children, path);
            return Task.FromResult(removed.Count);
        }
    }

    public Task<DirectoryStateRow?> GetDirectoryStateAsync(string storageKey, string directoryPath, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(Data(storageKey).Directories.GetValueOrDefault(directoryPath));
    }

    public Task CompleteDirectoryAsync(string storageKey, string directoryPath, long scanNumber, SubtreeReport counts, string? listingError, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            Data(storageKey).Directories[directoryPath] = new DirectoryStateRow(scanNumber, counts, listingError is not null, listingError);
        return Task.CompletedTask;
    }

    public Task UpsertTilesAsync(IReadOnlyList<TileRow> tiles, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var tile in tiles)
            {
                var rows = Data(tile.StorageKey).Tiles;
                // Like the PostgreSQL upsert: a late write of an older scan never replaces a newer scan's row.
                if (!rows.TryGetValue(tile.Path, out var stored) || stored.ScanNumber <= tile.ScanNumber)
                    rows[tile.Path] = tile;
            }
        }
        return Task.CompletedTask;
    }

    public Task<TileRow?> GetTileAsync(string storageKey, string path, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(Data(storageKey).Tiles.GetValueOrDefault(path));
    }

    public async IAsyncEnumerable<TileRow> QueryTilesAsync(string storageKey, string pathPrefix,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<TileRow> rows;
        lock (_lock)
        {
            rows = Data(storageKey).Tiles.Values
                .Where(t => t.Path != pathPrefix.TrimEnd('/') && CataloguePaths.IsUnder(t.Path, pathPrefix))
                .ToList();
        }
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }
        await Task.CompletedTask;
    }

    public Task<CatalogueSummary> SummarizeAsync(string storageKey, string pathPrefix, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            string self = pathPrefix.TrimEnd('/');
            var under = data.Entries.Values.Where(e => e.Entry.Path != self && CataloguePaths.IsUnder(e.Entry.Path, pathPrefix)).ToList();
            var groups = data.Tiles.Values
                .Where(t => t.Path != self && CataloguePaths.IsUnder(t.Path, pathPrefix))
                .GroupBy(t => (t.Format, t.Classification, t.Epsg, t.CrsName, Bands: string.Join('\u001f', t.BandNames)))
                .Select(g => new TileGroup(g.Key.Format, g.Key.Classification, g.Key.Epsg, g.Key.CrsName, g.First().BandNames,
                    g.LongCount(), g.Sum(t => t.Size ?? 0), g.LongCount(t => t.Error is not null)))
                .ToList();
            return Task.FromResult(new CatalogueSummary(
                under.LongCount(e => e.Entry.Kind == EntryKind.File),
                under.LongCount(e => e.Entry.Kind == EntryKind.Directory),
                groups));
        }
    }

    public Task<ScanReads> CountScanReadsAsync(string storageKey, string pathPrefix, long scanNumber, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            string self = pathPrefix.TrimEnd('/');
            var read = Data(storageKey).Tiles.Values
                .Where(t => t.ScanNumber == scanNumber && t.Path != self && CataloguePaths.IsUnder(t.Path, pathPrefix))
                .ToList();
            return Task.FromResult(new ScanReads(read.Count, read.Sum(t => t.BytesRead), read.Count(t => t.SidecarSignature == CatalogueRetry.Stamp)));
        }
    }

    /// <summary>Removes a child entry with its tile and, for a directory, its whole subtree.</summary>
    private static void RemoveEntry(StorageData data, HashSet<string> children, string path)
    {
        bool isDirectory = data.Entries[path].Entry.Kind == EntryKind.Directory;
        children.Remove(path);
        data.Entries.Remove(path);
        data.Tiles.Remove(path);
        if (!isDirectory)
            return;
        data.Directories.Remove(path);
        foreach (var key in data.Entries.Keys.Where(p => CataloguePaths.IsUnder(p, path)).ToList())
            data.Entries.Remove(key);
        foreach (var key in data.Tiles.Keys.Where(p => CataloguePaths.IsUnder(p, path)).ToList())
            data.Tiles.Remove(key);
        foreach (var key in data.Directories.Keys.Where(p => CataloguePaths.IsUnder(p, path)).ToList())
            data.Directories.Remove(key);
        foreach (var key in data.Children.Keys.Where(p => CataloguePaths.IsUnder(p, path)).ToList())
            data.Children.Remove(key);
    }

    private StorageData Data(string storageKey)
    {
        if (!_data.TryGetValue(storageKey, out var data))
            _data[storageKey] = data = new StorageData();
        return data;
    }
}

namespace Pcrs.Grains.Catalogue;

/// <summary>A large directory's listing written in batches, as <see cref="PostgresCatalogue"/> does.</summary>
public sealed partial class InMemoryCatalogue
{
    public Task UpsertListedEntriesAsync(string storageKey, string directoryPath, IReadOnlyList<EntryRow> rows, long scanNumber, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            if (!data.Children.TryGetValue(directoryPath, out var children))
                data.Children[directoryPath] = children = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in rows)
            {
                data.Entries[entry.Path] = (entry, scanNumber);
                children.Add(entry.Path);
            }
        }
        return Task.CompletedTask;
    }

    public Task<int> DeleteUnseenEntriesAsync(string storageKey, string directoryPath, long scanNumber, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            if (!data.Children.TryGetValue(directoryPath, out var children))
                return Task.FromResult(0);
            var removed = children.Where(path => data.Entries[path].LastSeenScan < scanNumber).ToList();
            foreach (var path in removed)
                RemoveEntry(data, children, path);
            return Task.FromResult(removed.Count);
        }
    }

    public Task<IReadOnlyDictionary<string, TileStamp>> GetTileStampsAsync(string storageKey, IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var data = Data(storageKey);
            var stamps = new Dictionary<string, TileStamp>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                if (data.Tiles.TryGetValue(path, out var tile))
                    stamps[path] = new TileStamp(tile.Size, tile.ModifiedAt, tile.ETag, tile.SidecarSignature, tile.Error is not null, tile.ListingStamp, tile.FactsSource);
            }
            return Task.FromResult<IReadOnlyDictionary<string, TileStamp>>(stamps);
        }
    }
}

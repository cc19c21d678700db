using System.Runtime.CompilerServices;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Silo.Scan;

/// <summary>
/// The clients of a scan that names one data file: the scan starts at the file's folder, and every listing keeps only that
/// file and the sidecars GDAL would read beside it. Neither the file's siblings nor the sub-folders are read, so a tile in
/// a folder of 100,000 costs one listing and one header read, not a crawl of the folder and everything below it.
/// </summary>
internal sealed class OneFileClientFactory(IStorageClientFactory inner, string filePath) : IStorageClientFactory
{
    private readonly HashSet<string> _names = NamesFor(StoragePaths.FileName(filePath));

    public IStorageClient Create(StorageLocation location, StorageCredentials credentials, IConnectionLimiter limiter, StorageTrust trust) =>
        new OneFileClient(inner.Create(location, credentials, limiter, trust), _names);

    /// <summary>The file and its possible sidecars, case-insensitive as sidecars are matched in a scan.</summary>
    private static HashSet<string> NamesFor(string fileName) =>
        new([fileName, .. DataFiles.SidecarCandidates(fileName)], StringComparer.OrdinalIgnoreCase);

    private sealed class OneFileClient(IStorageClient inner, HashSet<string> names) : IStorageClient
    {
        public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var entry in inner.ListAsync(directoryPath, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Kind == StorageEntryKind.File && names.Contains(entry.Name))
                    yield return entry;
            }
        }

        public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken) => inner.StatAsync(path, cancellationToken);

        public Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
            inner.ReadRangeAsync(path, offset, buffer, cancellationToken);

        public Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken) =>
            inner.OpenReadAsync(path, offset, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

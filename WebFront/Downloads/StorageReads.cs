using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// The access layer's clients for downloads: the same per-silo client (and connection pool) the scanner uses, whose every
/// connection is opened under a lease from the storage's grain. Scans and downloads of a storage therefore share one
/// cluster-wide limit, Scanning:MaxConnectionsPerStorage, instead of each web front adding its own.
/// </summary>
public sealed class StorageReads(StorageClientCache clients, IGrainFactory grains)
{
    /// <summary>
    /// The client of <paramref name="storageKey"/> with the credentials of its latest declaration (the scan number tells
    /// the cache whether its client predates a re-declaration). Shared: callers never dispose it.
    /// </summary>
    public async Task<IStorageClient> ClientAsync(string storageKey, CancellationToken cancellationToken)
    {
        var status = await grains.GetGrain<IStorageGrain>(storageKey).GetStatus().WaitAsync(cancellationToken);
        return await clients.GetAsync(storageKey, status.ScanNumber, cancellationToken);
    }
}

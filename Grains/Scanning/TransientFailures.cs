using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>Which storage failures are the server's passing state (worth reading the file again) rather than the file's.</summary>
public static class TransientFailures
{
    /// <summary>The first transient failure met by any of these readers (the data file, then its sidecars), or null.</summary>
    public static StorageException? FirstOf(IEnumerable<StorageRangeReader> readers) =>
        readers.Select(r => r.LastFailure).FirstOrDefault(f => f is { IsTransient: true });
}

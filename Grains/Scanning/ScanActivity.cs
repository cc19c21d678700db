namespace Pcrs.Grains.Scanning;

/// <summary>
/// What this silo did for scans since it started: directories listed and files analysed. Cheap counters, read by
/// tests (to see work spread over silos) and by operators' diagnostics.
/// </summary>
public sealed class ScanActivity
{
    private long _directoriesListed;
    private long _filesAnalysed;
    private long _bytesRead;
    private long _longestLeaseWaitTicks;
    private long _leasesGranted;

    public long DirectoriesListed => Interlocked.Read(ref _directoriesListed);

    public long FilesAnalysed => Interlocked.Read(ref _filesAnalysed);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// Longest time one request for a connection lease waited at the StorageGrain on this silo (granted or withdrawn):
    /// shows whether silos share a storage's limit fairly or starve one another.
    /// </summary>
    public TimeSpan LongestLeaseWait => TimeSpan.FromTicks(Interlocked.Read(ref _longestLeaseWaitTicks));

    /// <summary>Connection leases this silo was granted.</summary>
    public long LeasesGranted => Interlocked.Read(ref _leasesGranted);

    internal void DirectoryListed()
    {
        Interlocked.Increment(ref _directoriesListed);
        ScanMetrics.DirectoryListed();
    }

    /// <param name="errorKind">Null when the header was read; else what failed (a storage error kind, "format", "timeout").</param>
    internal void FileAnalysed(long bytesRead, string? errorKind = null)
    {
        Interlocked.Increment(ref _filesAnalysed);
        Interlocked.Add(ref _bytesRead, bytesRead);
        ScanMetrics.FileRead(bytesRead, errorKind);
    }

    internal void LeaseWaited(TimeSpan waited, bool granted)
    {
        if (granted)
            Interlocked.Increment(ref _leasesGranted);
        long ticks = waited.Ticks;
        long seen = Interlocked.Read(ref _longestLeaseWaitTicks);
        while (ticks > seen)
        {
            long previous = Interlocked.CompareExchange(ref _longestLeaseWaitTicks, ticks, seen);
            if (previous == seen)
                break;
            seen = previous;
        }
    }
}

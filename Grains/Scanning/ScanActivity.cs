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

    public long DirectoriesListed => Interlocked.Read(ref _directoriesListed);

    public long FilesAnalysed => Interlocked.Read(ref _filesAnalysed);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    internal void DirectoryListed() => Interlocked.Increment(ref _directoriesListed);

    internal void FileAnalysed(long bytesRead)
    {
        Interlocked.Increment(ref _filesAnalysed);
        Interlocked.Add(ref _bytesRead, bytesRead);
    }
}

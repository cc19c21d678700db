namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// The counters of a scan: sent per directory as that directory's totals so far and summed by the StorageGrain
/// (<c>LiveProgress</c>), kept by the catalogue
/// (the storage's live progress and each scan of its history) and published as a scan's "progress" by the web API.
/// <see cref="Analysed"/> counts headers read in this scan, <see cref="Unchanged"/> files skipped because their size and
/// modification time (or ETag) did not change.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.ScanProgress")]
public sealed record ScanProgress(
    [property: Id(0)] long Directories,
    [property: Id(1)] long Files,
    [property: Id(2)] long Analysed,
    [property: Id(3)] long Unchanged,
    [property: Id(4)] long Errors,
    [property: Id(5)] long BytesRead)
{
    public static ScanProgress Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public ScanProgress Add(ScanProgress other) => new(
        Directories + other.Directories,
        Files + other.Files,
        Analysed + other.Analysed,
        Unchanged + other.Unchanged,
        Errors + other.Errors,
        BytesRead + other.BytesRead);

    public ScanProgress Subtract(ScanProgress other) => new(
        Directories - other.Directories,
        Files - other.Files,
        Analysed - other.Analysed,
        Unchanged - other.Unchanged,
        Errors - other.Errors,
        BytesRead - other.BytesRead);
}

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// What a completed scan found under a start path, in the terms users know (web API "scan" object):
/// nature ("PCRS raster", "PCRS vector", "other raster", "mixed", "empty"), dominant format, tile count, projection,
/// total weight, bands, files scanned and files in error. Counted from the catalogue, so re-runs never double-count.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.ScanSummary")]
public sealed record ScanSummary(
    [property: Id(0)] string Nature,
    [property: Id(1)] string? Format,
    [property: Id(2)] long Tiles,
    [property: Id(3)] int? Epsg,
    [property: Id(4)] string? Projection,
    [property: Id(5)] long TotalBytes,
    [property: Id(6)] string[] Bands,
    [property: Id(7)] long FilesScanned,
    [property: Id(8)] long Errors,
    [property: Id(9)] long Directories,
    [property: Id(10)] DateTimeOffset CompletedAt)
{
    public static ScanSummary Empty(DateTimeOffset at) => new("empty", null, 0, null, null, 0, [], 0, 0, 0, at);
}

using System.ComponentModel.DataAnnotations;

namespace Pcrs.Grains.Formats;

/// <summary>How much of each file the tile reader may fetch (configuration section "Scanning").</summary>
public sealed class TileReaderOptions
{
    public const string SectionName = "Scanning";

    /// <summary>Every byte fetched for one file, sidecars included, stays under this; more is an error for that file.</summary>
    [Range(4096, long.MaxValue)]
    public long MaxBytesPerFile { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes read up front. 4 KB holds the whole header of GDAL-written GeoTIFFs and JPEG 2000 files; GDAL's /vsicurl/
    /// reads 16 KB for the same files.
    /// </summary>
    [Range(512, 1024 * 1024)]
    public int HeadBytes { get; set; } = 4096;

    /// <summary>Smallest fetch after the head; doubles on each further miss (IFD at the end, values after strip arrays).</summary>
    [Range(256, 1024 * 1024)]
    public int MinFetchBytes { get; set; } = 4096;
}

namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>
/// Bounds on what untrusted TIFF bytes may ask of the reader. Every count read from a file is checked against these
/// before it sizes a buffer or a loop, so a crafted header costs at most a few kilobytes and microseconds.
/// </summary>
public sealed record TiffLimits
{
    /// <summary>Entries per IFD. Real GeoTIFFs have 15 to 40; libtiff itself refuses far fewer than 65535 in practice.</summary>
    public int MaxEntriesPerIfd { get; init; } = 4096;

    /// <summary>Bytes of one tag value fetched. GeoAsciiParams and GDAL_METADATA are the largest we read (a few KB).</summary>
    public int MaxValueBytes { get; init; } = 256 * 1024;

    /// <summary>IFDs followed along the next-IFD chain (IFD0 plus overviews and masks) before giving up.</summary>
    public int MaxIfds { get; init; } = 64;

    /// <summary>GeoKeys in the key directory. GDAL writes about 8; the standard defines fewer than 50.</summary>
    public int MaxGeoKeys { get; init; } = 1024;

    public static TiffLimits Default { get; } = new();
}

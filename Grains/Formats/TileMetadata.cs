namespace Pcrs.Grains.Formats;

/// <summary>What the scanner knows of one data file: what GDAL would say of it, read from a few kilobytes.</summary>
public sealed record TileMetadata
{
    /// <summary>"JPEG2000", "GeoTIFF", "GML", "GeoPackage", "DXF"; null when the file could not be recognised.</summary>
    public string? Format { get; init; }

    public DataKind Kind { get; init; }

    public int? Width { get; init; }
    public int? Height { get; init; }
    public int? Bands { get; init; }

    /// <summary>GDAL colour interpretations as users see them: "Red", "Green", "Blue", "NIR", "Alpha", "Gray", "Undefined".</summary>
    public IReadOnlyList<string> BandNames { get; init; } = [];

    public int? BitsPerSample { get; init; }

    /// <summary>"None", "LZW", "DEFLATE", "JPEG", "JPEG2000 lossy", "JPEG2000 lossless"…</summary>
    public string? Compression { get; init; }

    public int? Epsg { get; init; }

    /// <summary>CRS name as users see it, e.g. "RGF93 v1 / Lambert-93".</summary>
    public string? CrsName { get; init; }

    /// <summary>GDAL geotransform [x0, dx, rx, y0, ry, dy]: top-left corner of the top-left pixel.</summary>
    public IReadOnlyList<double>? GeoTransform { get; init; }

    /// <summary>Where the georeferencing came from: "GeoTIFF", "GeoJP2", "GMLJP2", "WorldFile", "AuxXml", "GML".</summary>
    public string? GeoreferenceSource { get; init; }

    /// <summary>Ground resolution in CRS units (|dx|), when square pixels; the larger of |dx| and |dy| otherwise.</summary>
    public double? Resolution { get; init; }

    /// <summary>Footprint ring in WGS84, RFC 7946 order (longitude, latitude), closed, counter-clockwise; null without georeferencing.</summary>
    public IReadOnlyList<GeoPoint>? Footprint { get; init; }

    /// <summary>Extent in the file's own CRS (vector files and rasters): minX, minY, maxX, maxY.</summary>
    public IReadOnlyList<double>? Extent { get; init; }

    /// <summary>Vector files: number of features per class (e.g. "pcrs:EmpriseEchangePCRS" → 1).</summary>
    public IReadOnlyDictionary<string, long>? FeatureCounts { get; init; }

    /// <summary>
    /// GeoTIFF only: whether the layout follows GDAL's cloud-optimised rules (validate_cloud_optimized_geotiff); null for
    /// other formats.
    /// </summary>
    public bool? CloudOptimized { get; init; }

    public TileClassification Classification { get; init; }

    /// <summary>Short notes on PCRS conformity (resolution above 5 cm, CRS not accepted, bands not RGB/IRC…).</summary>
    public IReadOnlyList<string> ConformityHints { get; init; } = [];

    /// <summary>Every byte fetched from the storage for this file, sidecars included.</summary>
    public long BytesRead { get; init; }

    /// <summary>One clear sentence when the file could not be read; the other fields then hold what could be read.</summary>
    public string? Error { get; init; }
}

public enum DataKind
{
    Unknown,
    Raster,
    Vector,
}

public enum TileClassification
{
    /// <summary>Not recognised, or unreadable.</summary>
    Unknown,
    PcrsRaster,
    PcrsVector,
    OtherRaster,
    OtherVector,
}

/// <summary>A WGS84 position in RFC 7946 order.</summary>
public readonly record struct GeoPoint(double Longitude, double Latitude);

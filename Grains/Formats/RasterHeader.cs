namespace Pcrs.Grains.Formats;

/// <summary>
/// What a raster format reader (GeoTIFF, JPEG 2000) found inside the file itself, before sidecars, CRS names,
/// footprint and classification are added by the <see cref="TileReader"/>.
/// </summary>
public sealed record RasterHeader
{
    public required string Format { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>GDAL colour interpretation per band ("Red", "Green", "Blue", "Alpha", "Gray", "Undefined"…).</summary>
    public required IReadOnlyList<string> ColorInterpretations { get; init; }

    /// <summary>Band descriptions stored in the file (GDAL_METADATA), null where none.</summary>
    public IReadOnlyList<string?> BandDescriptions { get; init; } = [];

    public int? BitsPerSample { get; init; }
    public string? Compression { get; init; }
    public int? Epsg { get; init; }
    public IReadOnlyList<double>? GeoTransform { get; init; }

    /// <summary>GeoTIFF only: whether its layout is cloud-optimised (GDAL's rules); null for other formats.</summary>
    public bool? CloudOptimized { get; init; }

    /// <summary>"GeoTIFF", "GeoJP2", "GMLJP2"… when the file carries its own georeferencing.</summary>
    public string? GeoreferenceSource { get; init; }
}

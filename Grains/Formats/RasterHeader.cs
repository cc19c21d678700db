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
    public required IReadOnlyList<string> BandNames { get; init; }
    public int? BitsPerSample { get; init; }
    public string? Compression { get; init; }
    public int? Epsg { get; init; }
    public IReadOnlyList<double>? GeoTransform { get; init; }

    /// <summary>"GeoTIFF", "GeoJP2", "GMLJP2"… when the file carries its own georeferencing.</summary>
    public string? GeoreferenceSource { get; init; }
}

/// <summary>Georeferencing found in a sidecar file (.aux.xml, world file).</summary>
public sealed record SidecarGeoreference(IReadOnlyList<double>? GeoTransform, int? Epsg, string Source);

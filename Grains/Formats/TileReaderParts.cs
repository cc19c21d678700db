namespace Pcrs.Grains.Formats;

/// <summary>
/// The pieces of the tile reader that live in other parts of Formats (JPEG 2000, GML, sidecars, CRS), passed as
/// delegates so each can be replaced in tests. <see cref="Default"/> wires the project's own implementations.
/// </summary>
public sealed record TileReaderParts
{
    /// <summary>Reads a JP2 file or raw J2K codestream; null while no JPEG 2000 reader is available.</summary>
    public Func<IRangeReader, CancellationToken, Task<RasterHeader>>? Jpeg2000 { get; init; }

    /// <summary>Reads a GML vector file (PCRS or other); null: GML files are reported by signature only.</summary>
    public Func<IRangeReader, CancellationToken, Task<TileMetadata>>? Gml { get; init; }

    /// <summary>Reads GeoTransform and SRS from a GDAL .aux.xml sidecar.</summary>
    public Func<IRangeReader, CancellationToken, Task<SidecarGeoreference?>>? AuxXml { get; init; }

    /// <summary>Reads a world file (.tfw, .j2w, .wld…) as a GDAL geotransform.</summary>
    public Func<IRangeReader, CancellationToken, Task<SidecarGeoreference?>>? WorldFile { get; init; }

    /// <summary>Name users see for an EPSG code ("RGF93 v1 / Lambert-93"), or null when unknown.</summary>
    public Func<int, string?> CrsName { get; init; } = _ => null;

    /// <summary>Whether French regulations accept the CRS for a PCRS.</summary>
    public Func<int, bool> IsAcceptedCrs { get; init; } = code => AcceptedCrsCodes.Contains(code);

    /// <summary>WGS84 footprint (RFC 7946 order) of a raster from its CRS, geotransform and size; null when it cannot be computed.</summary>
    public Func<int?, IReadOnlyList<double>, int, int, IReadOnlyList<GeoPoint>?> Footprint { get; init; } = (_, _, _, _) => null;

    public static TileReaderParts Default { get; } = new();

    // Décret 2000-1276 as amended: Lambert-93 and CC42–CC50 in RGF93 v1, v2 and v2b, and the overseas UTM systems.
    private static readonly HashSet<int> AcceptedCrsCodes =
    [
        2154, 9793, 9794,
        3942, 3943, 3944, 3945, 3946, 3947, 3948, 3949, 3950,
        9822, 9823, 9824, 9825, 9826, 9827, 9828, 9829, 9830,
        9842, 9843, 9844, 9845, 9846, 9847, 9848, 9849, 9850,
        5490, 2972, 2975, 4471, 4467,
    ];
}

using Pcrs.Grains.Formats.Crs;

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
    public Func<int, string?> CrsName { get; init; } = code => CrsRegistry.NameOf(code);

    /// <summary>Whether French regulations accept the CRS for a PCRS.</summary>
    public Func<int, bool> IsAcceptedCrs { get; init; } = code => CrsRegistry.IsAcceptedForPcrs(code);

    /// <summary>WGS84 footprint (RFC 7946 order) of a raster from its CRS, geotransform and size; null when it cannot be computed.</summary>
    public Func<int?, IReadOnlyList<double>, int, int, IReadOnlyList<GeoPoint>?> Footprint { get; init; } =
        (epsg, gt, width, height) => Crs.Footprint.OfRaster(epsg, gt, width, height);

    public static TileReaderParts Default { get; } = new();
}

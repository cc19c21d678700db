using Pcrs.Grains.Formats.Crs;
using Pcrs.Grains.Formats.Jp2;
using Pcrs.Grains.Formats.WorldFile;

namespace Pcrs.Grains.Formats;

/// <summary>
/// The pieces of the tile reader that live in other parts of Formats (JPEG 2000, GML, sidecars, CRS), passed as
/// delegates so each can be replaced in tests. <see cref="Default"/> wires the project's own implementations.
/// </summary>
public sealed record TileReaderParts
{
    /// <summary>Reads a JP2 file or raw J2K codestream.</summary>
    public Func<IRangeReader, CancellationToken, Task<RasterHeader>>? Jpeg2000 { get; init; } = ReadJpeg2000Async;

    /// <summary>
    /// Streams a GML vector file (PCRS or other) to the end; null: GML files are reported by signature only.
    /// The whole file is read (feature counts need it), so the header byte budget does not apply, GML's own limits do.
    /// </summary>
    public Func<IRangeReader, CancellationToken, Task<TileMetadata>>? Gml { get; init; } = Formats.Gml.GmlTileMetadata.ReadAsync;

    /// <summary>Applies the sidecars (.aux.xml, file itself, world file, .prj) with GDAL's precedence.</summary>
    public Func<string, RasterHeader, IReadOnlyList<IRangeReader>, CancellationToken, Task<ResolvedGeoreference>> Sidecars { get; init; } =
        (name, header, sidecars, ct) => SidecarResolver.ResolveAsync(name, header.GeoTransform, header.Epsg, header.GeoreferenceSource, sidecars, ct);

    /// <summary>Name users see for an EPSG code ("RGF93 v1 / Lambert-93"), or null when unknown.</summary>
    public Func<int, string?> CrsName { get; init; } = code => CrsRegistry.NameOf(code);

    /// <summary>Whether French regulations accept the CRS for a PCRS.</summary>
    public Func<int, bool> IsAcceptedCrs { get; init; } = code => CrsRegistry.IsAcceptedForPcrs(code);

    /// <summary>WGS84 footprint (RFC 7946 order) of a raster from its CRS, geotransform and size; null when it cannot be computed.</summary>
    public Func<int?, IReadOnlyList<double>, int, int, IReadOnlyList<GeoPoint>?> Footprint { get; init; } =
        (epsg, gt, width, height) => Crs.Footprint.OfRaster(epsg, gt, width, height);

    public static TileReaderParts Default { get; } = new();

    private static async Task<RasterHeader> ReadJpeg2000Async(IRangeReader file, CancellationToken ct)
    {
        Jp2Info info = await Jp2Reader.ReadAsync(file, null, ct).ConfigureAwait(false);
        return new RasterHeader
        {
            Format = "JPEG2000",
            Width = info.Width,
            Height = info.Height,
            ColorInterpretations = info.ColorInterpretations,
            BitsPerSample = info.BitDepth,
            Compression = info.Reversible switch
            {
                true => "JPEG2000 lossless",
                false => "JPEG2000 lossy",
                null => "JPEG2000",
            },
            Epsg = info.Epsg,
            GeoTransform = info.GeoTransform,
            GeoreferenceSource = info.GeoreferenceSource,
        };
    }
}

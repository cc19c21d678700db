using System.Globalization;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Exports;

namespace Pcrs.WebFront.Metadata;

public enum TileFieldType
{
    Text,
    Integer,
    Long,
    Date,

    /// <summary>dalles.geojson's "open" and the tile index's "cog" (GeoPackage 0/1, DBF logical).</summary>
    Boolean,
}

/// <summary>One attribute of the tile index: its name, its DBF name (10 characters at most), its type and its value.</summary>
public sealed record TileField(string Name, string ShortName, TileFieldType Type, Func<DeliverableContext, TileRow, object?> Value);

/// <summary>
/// The attributes of the tile index ("tableau d'assemblage"), one table for every format written: the ten CNIG
/// RasterPCRS attributes (names as in CNIG_PCRS_v2.0.xsd, in the platform's dalles.geojson order), then the technical
/// ones. What the scan cannot know is the owner's declaration (acquisition and acceptance days) or stays empty
/// (precision classes, quality notes).
/// </summary>
public static class TileIndexFields
{
    public static readonly IReadOnlyList<TileField> All =
    [
        .. RasterPcrsProperties.Cnig.Select(f => new TileField(f.Name, f.ShortName, f.Type, (c, t) => f.Value(c.Subject, t))),
        new("chemin", "chemin", TileFieldType.Text, (_, t) => t.Path),
        new("tailleOctets", "taille", TileFieldType.Long, (_, t) => t.Size),
        new("largeur", "largeur", TileFieldType.Integer, (_, t) => t.Width),
        new("hauteur", "hauteur", TileFieldType.Integer, (_, t) => t.Height),
        new("compression", "compress", TileFieldType.Text, (_, t) => t.Compression),
        new("epsg", "epsg", TileFieldType.Integer, (_, t) => t.Epsg),
        new("bandes", "bandes", TileFieldType.Text, (_, t) => RasterPcrsProperties.Bands(t)),
        new("georeferencement", "georef", TileFieldType.Text, (_, t) => t.GeoreferenceSource),
        // GeoTIFF laid out by GDAL's cloud-optimised rules; empty for other formats and tiles not read again since 0260.
        new("cog", "cog", TileFieldType.Boolean, (_, t) => t.CloudOptimized),
        new("url", "url", TileFieldType.Text, (c, t) => c.TileUrl(t.Path)),
    ];

    /// <summary>The tile's outline in its own CRS: the image's four corners through its geotransform, or the extent read; null without.</summary>
    public static double[][]? NativeRing(TileRow tile)
    {
        if (tile.GeoTransform is { Count: 6 } g && tile.Width is int w && tile.Height is int h && g.All(double.IsFinite))
        {
            double[] Corner(double px, double py) => [g[0] + px * g[1] + py * g[2], g[3] + px * g[4] + py * g[5]];
            // Counter-clockwise for a north-up image (rows go south): top-left, bottom-left, bottom-right, top-right.
            return [Corner(0, 0), Corner(0, h), Corner(w, h), Corner(w, 0), Corner(0, 0)];
        }
        if (tile.NativeExtent is { Count: 4 } e && e.All(double.IsFinite))
            return [[e[0], e[3]], [e[0], e[1]], [e[2], e[1]], [e[2], e[3]], [e[0], e[3]]];
        return null;
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

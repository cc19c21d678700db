using System.IO.Compression;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Dbf.Fields;
using NetTopologySuite.IO.Esri.Shapefiles.Writers;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// The tile index as an ESRI Shapefile (.shp, .shx, .dbf, .prj, .cpg) in a ZIP, in the deliverable's own CRS or in
/// WGS84. DBF field names have 10 characters at most: each attribute takes the short name of
/// <see cref="TileIndexFields"/> (the GeoJSON and GeoPackage files carry the full CNIG names). A tile without an outline
/// in the chosen CRS has no shape and is left out (a shapefile has no null polygon that every reader accepts).
/// </summary>
public static class TileIndexShapefile
{
    public static async Task WriteZipAsync(Stream output, string layerName, DeliverableContext context, int srs, ITileMetadataReader catalogue, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("pcrs-shp-");
        try
        {
            var shp = Path.Combine(folder.FullName, layerName + ".shp");
            var options = new ShapefileWriterOptions(ShapeType.Polygon) { Encoding = Encoding.UTF8 };
            if (CrsRegistry.Find(srs) is { } crs)
                options.Projection = CrsWkt.ToWkt1(crs);
            var fields = TileIndexFields.All.Select(f => (Field: f, Dbf: AddField(options, f))).ToList();
            var factory = new GeometryFactory(new PrecisionModel(), srs);
            bool native = srs != 4326;
            using (var writer = new ShapefilePolygonWriter(shp, options))
            {
                await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, context.AllTiles, ct))
                {
                    var ring = native ? (tile.Epsg == srs ? TileIndexFields.NativeRing(tile) : null) : TileIndexGeoPackage.WgsRing(tile);
                    if (ring is null)
                        continue;
                    writer.Geometry = factory.CreatePolygon(ring.Select(p => new Coordinate(p[0], p[1])).ToArray());
                    foreach (var (field, dbf) in fields)
                        dbf.Value = Convert(field, field.Value(context, tile));
                    writer.Write();
                }
            }
            await File.WriteAllTextAsync(Path.ChangeExtension(shp, ".cpg"), "UTF-8", ct);
            using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var file in Directory.EnumerateFiles(folder.FullName).Order(StringComparer.Ordinal))
            {
                var entry = zip.CreateEntry(Path.GetFileName(file), CompressionLevel.Fastest);
                await using var target = await entry.OpenAsync(ct);
                await using var source = File.OpenRead(file);
                await source.CopyToAsync(target, ct);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static DbfField AddField(ShapefileWriterOptions options, TileField field) => field.Type switch
    {
        TileFieldType.Integer => options.AddNumericInt32Field(field.ShortName),
        TileFieldType.Long => options.AddNumericInt64Field(field.ShortName),
        TileFieldType.Date => options.AddDateField(field.ShortName),
        TileFieldType.Boolean => options.AddLogicalField(field.ShortName),
        _ => options.AddCharacterField(field.ShortName, 254),
    };

    private static object? Convert(TileField field, object? value) => value switch
    {
        null => null,
        DateOnly day => day.ToDateTime(TimeOnly.MinValue),
        // DBF text is at most 254 bytes; longer values (a very deep path or URL) are cut, the GeoJSON keeps them whole.
        string text when field.Type == TileFieldType.Text => text.Length > 120 && Encoding.UTF8.GetByteCount(text) > 254 ? Truncate(text) : text,
        _ => value,
    };

    private static string Truncate(string text)
    {
        var builder = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Encoding.UTF8.GetByteCount(builder.ToString()) + rune.Utf8SequenceLength > 254)
                break;
            builder.Append(rune.ToString());
        }
        return builder.ToString();
    }
}

using System.Text.Json;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Apis;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// The tile index as GeoJSON: in WGS84 it is RFC 7946 (the scanner's footprints); in the deliverable's own CRS it
/// carries the 2008 "crs" member naming the EPSG code, which RFC 7946 dropped but GDAL and QGIS still read, and
/// the tiles' exact corners from their geotransforms.
/// </summary>
public static class TileIndexGeoJson
{
    public static async Task WriteAsync(HttpContext http, DeliverableContext context, int? nativeEpsg, ITileMetadataReader catalogue, CancellationToken ct)
    {
        http.Response.ContentType = GeoJsonResult.ContentType;
        await using var writer = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteString("name", "dalles");
        if (nativeEpsg is { } epsg)
        {
            writer.WriteStartObject("crs");
            writer.WriteString("type", "name");
            writer.WriteStartObject("properties");
            writer.WriteString("name", $"urn:ogc:def:crs:EPSG::{epsg}");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteStartArray("features");
        int written = 0;
        await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, context.AllTiles, ct))
        {
            Action<Utf8JsonWriter> geometry = nativeEpsg is null
                ? w => FootprintWriter.Write(w, tile.FootprintGeoJson)
                : w => WriteNative(w, tile.Epsg == nativeEpsg ? TileIndexFields.NativeRing(tile) : null);
            TileFeatureWriter.Write(writer, tile.Path, geometry, TileIndexFields.All.Select(field => KeyValuePair.Create(field.Name, field.Value(context, tile))));
            if (++written % GeoJsonResult.FlushEvery == 0)
                await writer.FlushAsync(ct);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(ct);
    }

    private static void WriteNative(Utf8JsonWriter writer, double[][]? ring)
    {
        writer.WritePropertyName("geometry");
        if (ring is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("type", "Polygon");
        writer.WriteStartArray("coordinates");
        writer.WriteStartArray();
        foreach (var point in ring)
        {
            writer.WriteStartArray();
            // Millimetres in a metric CRS.
            writer.WriteNumberValue(Math.Round(point[0], 3));
            writer.WriteNumberValue(Math.Round(point[1], 3));
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

using System.Text.Json;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Streams a GeoJSON FeatureCollection (RFC 7946, application/geo+json) feature by feature, flushing as it goes, so a
/// 100,000-tile deliverable never sits in memory as one document.
/// </summary>
public sealed class GeoJsonResult(Func<Utf8JsonWriter, CancellationToken, Task> writeFeatures) : IResult
{
    public const string ContentType = "application/geo+json";

    /// <summary>Features written between flushes to the response.</summary>
    public const int FlushEvery = 500;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = ContentType;
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteStartArray("features");
        await writeFeatures(writer, httpContext.RequestAborted);
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Writes a stored GeoJSON geometry as is (it was produced by the scanner, never by a caller).</summary>
    public static void WriteGeometry(Utf8JsonWriter writer, string? geometryJson)
    {
        writer.WritePropertyName("geometry");
        if (geometryJson is null)
            writer.WriteNullValue();
        else
            writer.WriteRawValue(geometryJson, skipInputValidation: true);
    }

    public static void WriteBoxPolygon(Utf8JsonWriter writer, Pcrs.Grains.Catalogue.GeoBox box)
    {
        writer.WritePropertyName("geometry");
        writer.WriteStartObject();
        writer.WriteString("type", "Polygon");
        writer.WriteStartArray("coordinates");
        writer.WriteStartArray();
        foreach (var (x, y) in new[] { (box.West, box.South), (box.East, box.South), (box.East, box.North), (box.West, box.North), (box.West, box.South) })
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(Math.Round(x, 6));
            writer.WriteNumberValue(Math.Round(y, 6));
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

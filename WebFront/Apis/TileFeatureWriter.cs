using System.Text.Json;
using Pcrs.WebFront.Metadata;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// The one writer of a tile as a GeoJSON Feature: {"type":"Feature", "id"?, "geometry", "properties"}. The map's tiles
/// route, both dalles.geojson files, the tile index and the OGC API items call it with their own geometry and
/// properties (each route's published property names stay its own).
/// </summary>
public static class TileFeatureWriter
{
    /// <summary>A tile with its WGS84 footprint, compacted by <see cref="FootprintWriter"/>.</summary>
    public static void Write(Utf8JsonWriter writer, string? id, string? footprintGeoJson, IEnumerable<KeyValuePair<string, object?>> properties) =>
        Write(writer, id, w => FootprintWriter.Write(w, footprintGeoJson), properties);

    /// <summary>A tile whose "geometry" member <paramref name="writeGeometry"/> writes (name and value).</summary>
    public static void Write(Utf8JsonWriter writer, string? id, Action<Utf8JsonWriter> writeGeometry, IEnumerable<KeyValuePair<string, object?>> properties)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(writeGeometry);
        ArgumentNullException.ThrowIfNull(properties);
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        if (id is not null)
            writer.WriteString("id", id);
        writeGeometry(writer);
        writer.WriteStartObject("properties");
        foreach (var (name, value) in properties)
            WriteValue(writer, name, value);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A property as JSON: numbers and booleans as such, a list of strings as an array, anything else as invariant text.</summary>
    public static void WriteValue(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull(name);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteNumber(name, l);
                break;
            case double d:
                writer.WriteNumber(name, d);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case IEnumerable<string> strings:
                writer.WriteStartArray(name);
                foreach (var text in strings)
                    writer.WriteStringValue(text);
                writer.WriteEndArray();
                break;
            default:
                writer.WriteString(name, TileIndexFields.Format(value));
                break;
        }
    }
}

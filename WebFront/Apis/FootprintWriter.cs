using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Writes a stored tile footprint compactly for maps and exports: coordinates rounded to 1e-7° (about 1 cm) and the
/// points that lie within that of the straight line between their neighbours dropped. The scanner densifies each edge
/// (so that long edges follow their curved image in WGS84) and stores full precision: 17 points of 18 digits, about
/// 700 bytes a tile, where a 200 m tile needs its 4 corners (about 110 bytes). Anything but a one-ring Polygon of at
/// most <see cref="MaxPoints"/> points is written as stored.
/// </summary>
public static class FootprintWriter
{
    public const int MaxPoints = 256;

    /// <summary>Grid of the written coordinates, in degrees.</summary>
    public const double Precision = 1e-7;

    public static void Write(Utf8JsonWriter writer, string? geometryJson)
    {
        writer.WritePropertyName("geometry");
        if (geometryJson is null)
        {
            writer.WriteNullValue();
            return;
        }
        int length = Encoding.UTF8.GetMaxByteCount(geometryJson.Length);
        byte[]? rented = length > 4096 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[4096];
            bytes = bytes[..Encoding.UTF8.GetBytes(geometryJson, bytes)];
            Span<double> xs = stackalloc double[MaxPoints];
            Span<double> ys = stackalloc double[MaxPoints];
            int count = ReadRing(bytes, xs, ys, Precision);
            if (count < 4)
                writer.WriteRawValue(geometryJson, skipInputValidation: true);
            else
                WritePolygon(writer, xs[..count], ys[..count]);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The points of {"type":"Polygon","coordinates":[[[x,y],…]]} rounded to 1e-7°, without those within
    /// <paramref name="straightTolerance"/> degrees of the line between their neighbours; 0 when the shape is anything else.
    /// </summary>
    public static int ReadRing(ReadOnlySpan<byte> json, Span<double> xs, Span<double> ys, double straightTolerance)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            bool polygon = false, read = false;
            int count = 0;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"))
                {
                    reader.Read();
                    polygon = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("Polygon");
                }
                else if (reader.ValueTextEquals("coordinates"))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                        return 0;
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                    {
                        if (count == xs.Length || !reader.Read() || !reader.TryGetDouble(out double x) || !reader.Read() || !reader.TryGetDouble(out double y)
                            || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                            return 0;
                        xs[count] = Math.Round(x, 7);
                        ys[count] = Math.Round(y, 7);
                        count++;
                    }
                    // The ring ended; a second ring (a hole) is not a tile footprint this writer shortens.
                    if (reader.TokenType != JsonTokenType.EndArray || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                        return 0;
                    read = true;
                }
                else
                {
                    reader.Skip();
                }
            }
            return polygon && read ? DropStraightPoints(xs[..count], ys[..count], straightTolerance) : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>Keeps the first and last point and every point farther than <paramref name="tolerance"/> from the line between its kept neighbours.</summary>
    private static int DropStraightPoints(Span<double> xs, Span<double> ys, double tolerance)
    {
        int n = xs.Length;
        if (n < 4 || xs[0] != xs[n - 1] || ys[0] != ys[n - 1])
            return 0;
        int kept = 1;
        for (int i = 1; i < n - 1; i++)
        {
            double ax = xs[kept - 1], ay = ys[kept - 1], bx = xs[i + 1], by = ys[i + 1];
            double dx = bx - ax, dy = by - ay, segment = Math.Sqrt(dx * dx + dy * dy);
            double distance = segment == 0
                ? Math.Sqrt((xs[i] - ax) * (xs[i] - ax) + (ys[i] - ay) * (ys[i] - ay))
                : Math.Abs(dx * (ay - ys[i]) - dy * (ax - xs[i])) / segment;
            if (distance > tolerance)
            {
                xs[kept] = xs[i];
                ys[kept] = ys[i];
                kept++;
            }
        }
        xs[kept] = xs[n - 1];
        ys[kept] = ys[n - 1];
        kept++;
        return kept >= 4 ? kept : 0;
    }

    private static void WritePolygon(Utf8JsonWriter writer, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Polygon");
        writer.WriteStartArray("coordinates");
        writer.WriteStartArray();
        for (int i = 0; i < xs.Length; i++)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(xs[i]);
            writer.WriteNumberValue(ys[i]);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Simplify;

namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// The real extent ("emprise") of a deliverable: the union of its tile footprints as one Polygon or MultiPolygon in
/// WGS84, not the box around them. Footprints are snapped to a 1e-7° grid (about 1 cm) so that the shared edges of
/// neighbouring tiles, projected separately, coincide and the union has no slivers; each footprint is first reduced to
/// the points that matter at that scale (the scanner densifies edges), then the result is simplified within
/// <see cref="Tolerance"/>, which keeps holes and notches of a tile's size and drops the tile joints along straight edges.
/// </summary>
public static class Emprise
{
    /// <summary>Grid the coordinates are snapped to: 1e7 units per degree.</summary>
    public const double Scale = 1e7;

    /// <summary>Simplification of the union, in degrees (about 1 m; tiles are hundreds of metres).</summary>
    public const double Tolerance = 1e-5;

    private static readonly PrecisionModel Grid = new(Scale);
    private static readonly GeometryFactory Factory = new(Grid);

    /// <summary>Accumulates footprints (GeoJSON Polygons as the catalogue stores them) and unions them.</summary>
    public sealed class Builder
    {
        private readonly List<Geometry> _polygons = [];

        public int Count => _polygons.Count;

        /// <summary>Adds one stored footprint; a footprint that is not a usable polygon is skipped (it came from a scan, not a caller).</summary>
        public void Add(string footprintGeoJson)
        {
            if (ParsePolygon(footprintGeoJson) is { } polygon)
                _polygons.Add(polygon);
        }

        /// <summary>The union as a GeoJSON geometry (RFC 7946 ring orientation), or null without any footprint.</summary>
        public string? ToGeoJson()
        {
            if (_polygons.Count == 0)
                return null;
            var footprints = Factory.BuildGeometry(_polygons);
            var union = CoverageUnionOrNull(footprints) ?? UnaryUnionNG.Union(footprints, Grid);
            var simplified = TopologyPreservingSimplifier.Simplify(union, Tolerance);
            return Write(simplified.IsEmpty ? union : simplified);
        }
    }

    /// <summary>
    /// Tiles of one grid share their corners exactly (after snapping): a coverage, whose union only drops the shared
    /// edges, in linear time (about 20x faster than an overlay on 100,000 tiles). Tiles that overlap or meet
    /// corner-to-edge are no coverage: the result then has another area than the sum of the tiles, or is invalid, or
    /// the operation throws; null, and the caller unions with the general overlay.
    /// </summary>
    private static Geometry? CoverageUnionOrNull(Geometry footprints)
    {
        try
        {
            var union = CoverageUnion.Union(footprints);
            double tiles = 0;
            for (int i = 0; i < footprints.NumGeometries; i++)
                tiles += footprints.GetGeometryN(i).Area;
            return union is { IsEmpty: false } && Math.Abs(union.Area - tiles) <= 1e-9 * tiles && union.IsValid ? union : null;
        }
        catch (Exception e) when (e is TopologyException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static Polygon? ParsePolygon(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "Polygon"
                || !root.TryGetProperty("coordinates", out var rings) || rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0)
                return null;
            var exterior = rings[0];
            var points = new List<Coordinate>(exterior.GetArrayLength());
            foreach (var position in exterior.EnumerateArray())
            {
                if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2)
                    return null;
                var c = new Coordinate(Grid.MakePrecise(position[0].GetDouble()), Grid.MakePrecise(position[1].GetDouble()));
                if (!double.IsFinite(c.X) || !double.IsFinite(c.Y))
                    return null;
                if (points.Count == 0 || !points[^1].Equals2D(c))
                    points.Add(c);
            }
            if (points.Count < 4 || !points[0].Equals2D(points[^1]))
                return null;
            var ring = Factory.CreateLinearRing(DropStraightPoints(points));
            return ring.IsValid ? Factory.CreatePolygon(ring) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Drops the points that lie on the line between their neighbours (within the grid): the densified edges.</summary>
    private static Coordinate[] DropStraightPoints(List<Coordinate> closed)
    {
        var kept = new List<Coordinate>(closed.Count) { closed[0] };
        for (int i = 1; i < closed.Count - 1; i++)
        {
            if (DistanceToLine(closed[i], kept[^1], closed[i + 1]) > 1 / Scale)
                kept.Add(closed[i]);
        }
        kept.Add(closed[^1]);
        return kept.Count >= 4 ? [.. kept] : [.. closed];
    }

    private static double DistanceToLine(Coordinate p, Coordinate a, Coordinate b)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y, length = Math.Sqrt(dx * dx + dy * dy);
        return length == 0 ? p.Distance(a) : Math.Abs(dx * (a.Y - p.Y) - dy * (a.X - p.X)) / length;
    }

    private static string Write(Geometry geometry)
    {
        var polygons = Enumerable.Range(0, geometry.NumGeometries).Select(geometry.GetGeometryN).OfType<Polygon>().Where(p => !p.IsEmpty).ToList();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", polygons.Count == 1 ? "Polygon" : "MultiPolygon");
            writer.WriteStartArray("coordinates");
            foreach (var polygon in polygons)
            {
                if (polygons.Count > 1)
                    writer.WriteStartArray();
                WriteRing(writer, polygon.ExteriorRing.Coordinates, counterClockwise: true);
                foreach (var hole in polygon.InteriorRings)
                    WriteRing(writer, hole.Coordinates, counterClockwise: false);
                if (polygons.Count > 1)
                    writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>RFC 7946: exterior rings counter-clockwise, holes clockwise.</summary>
    private static void WriteRing(Utf8JsonWriter writer, Coordinate[] ring, bool counterClockwise)
    {
        IEnumerable<Coordinate> ordered = Orientation.IsCCW(ring) == counterClockwise ? ring : ring.Reverse();
        writer.WriteStartArray();
        foreach (var c in ordered)
        {
            writer.WriteStartArray();
            writer.WriteRawValue(c.X.ToString("0.#######", CultureInfo.InvariantCulture), skipInputValidation: true);
            writer.WriteRawValue(c.Y.ToString("0.#######", CultureInfo.InvariantCulture), skipInputValidation: true);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }
}

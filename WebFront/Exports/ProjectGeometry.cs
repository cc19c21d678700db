using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.Operation.Union;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// A project's geometry for the exports: the union of its deliverables' emprises (each the union of its tile
/// footprints, WGS84, see <see cref="Catalogue.Emprise"/>). The platform unions the territories' boundaries, which
/// this server does not hold; what it holds is where the data is, so that is what it writes, and nothing when no
/// deliverable was scanned.
/// </summary>
public static class ProjectGeometry
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(Catalogue.Emprise.Scale), 4326);

    /// <summary>The union of GeoJSON Polygons / MultiPolygons, or null when there is none.</summary>
    public static Geometry? Union(IEnumerable<string> geoJsonGeometries)
    {
        var polygons = new List<Geometry>();
        foreach (var json in geoJsonGeometries)
            polygons.AddRange(Parse(json));
        if (polygons.Count == 0)
            return null;
        return polygons.Count == 1 ? polygons[0] : UnaryUnionOp.Union(polygons);
    }

    /// <summary>WKT as the platform writes its <c>geometrie</c> column (longitude latitude, WGS84).</summary>
    public static string Wkt(Geometry geometry) => new WKTWriter { MaxCoordinatesPerLine = int.MaxValue }.Write(geometry);

    /// <summary>RFC 7946 GeoJSON of a (multi)polygon union: exterior rings counter-clockwise, holes clockwise.</summary>
    public static string GeoJson(Geometry geometry) => Catalogue.Emprise.Write(geometry);

    private static IEnumerable<Polygon> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var coordinates = root.GetProperty("coordinates");
        switch (root.GetProperty("type").GetString())
        {
            case "Polygon":
                return [Polygon(coordinates)];
            case "MultiPolygon":
                return coordinates.EnumerateArray().Select(Polygon).ToList();
            default:
                return [];
        }
    }

    private static Polygon Polygon(JsonElement rings)
    {
        var linear = rings.EnumerateArray().Select(ring => Factory.CreateLinearRing(
            ring.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble())).ToArray())).ToList();
        return Factory.CreatePolygon(linear[0], [.. linear.Skip(1)]);
    }
}

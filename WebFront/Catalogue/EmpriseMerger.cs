using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Simplify;

namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// A project's extent for the national map: the union of its deliverables' emprises (see <see cref="Emprise"/>),
/// simplified for the zoom level it is drawn at, so 500 projects stay light to send and draw.
/// </summary>
public static class EmpriseMerger
{
    /// <summary>Half a screen pixel at <paramref name="zoom"/> in degrees (256-pixel web tiles): finer would not show.</summary>
    public static double ToleranceAt(int zoom) => 360.0 / (256 * Math.Pow(2, zoom)) / 2;

    /// <summary>Unions GeoJSON Polygon/MultiPolygon geometries and simplifies within <paramref name="tolerance"/> degrees; null without any polygon.</summary>
    public static string? Merge(IEnumerable<string> geometries, double tolerance)
    {
        var polygons = new List<Geometry>();
        foreach (var json in geometries)
            polygons.AddRange(Parse(json));
        if (polygons.Count == 0)
            return null;
        var all = Emprise.Factory.BuildGeometry(polygons);
        var union = polygons.Count == 1 ? polygons[0] : UnaryUnionNG.Union(all, Emprise.Factory.PrecisionModel);
        var simplified = TopologyPreservingSimplifier.Simplify(union, tolerance);
        return Emprise.Write(simplified.IsEmpty ? union : simplified);
    }

    private static IEnumerable<Polygon> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        var coordinates = root.GetProperty("coordinates");
        if (type == "Polygon")
        {
            if (ToPolygon(coordinates) is { } p)
                yield return p;
        }
        else if (type == "MultiPolygon")
        {
            foreach (var part in coordinates.EnumerateArray())
            {
                if (ToPolygon(part) is { } p)
                    yield return p;
            }
        }
    }

    private static Polygon? ToPolygon(JsonElement rings)
    {
        var built = rings.EnumerateArray().Select(ring => ring.EnumerateArray()
            .Select(pt => new Coordinate(pt[0].GetDouble(), pt[1].GetDouble())).ToArray()).ToList();
        if (built.Count == 0 || built[0].Length < 4)
            return null;
        var shell = Emprise.Factory.CreateLinearRing(built[0]);
        var holes = built.Skip(1).Where(h => h.Length >= 4).Select(h => Emprise.Factory.CreateLinearRing(h)).ToArray();
        return Emprise.Factory.CreatePolygon(shell, holes);
    }
}

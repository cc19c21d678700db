using System.Globalization;
using System.Text.Json;
using Pcrs.WebFront.Catalogue;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The national map draws each project by the union of its deliverables' emprises, simplified for the zoom it is drawn
/// at (GET /api/projects/extents?zoom=…): touching emprises become one shape, apart ones stay apart, and a detail
/// smaller than half a screen pixel at that zoom is dropped while a finer zoom keeps it.
/// </summary>
public sealed class EmpriseMergerTests
{
    private static string Square(double west, double south, double east, double north) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"type\":\"Polygon\",\"coordinates\":[[[{west},{south}],[{east},{south}],[{east},{north}],[{west},{north}],[{west},{south}]]]}}");

    private static List<double[][]> Rings(string geoJson)
    {
        using var doc = JsonDocument.Parse(geoJson);
        var root = doc.RootElement;
        var polygons = root.GetProperty("type").GetString() == "Polygon"
            ? [root.GetProperty("coordinates")]
            : root.GetProperty("coordinates").EnumerateArray().ToList();
        return [.. polygons.Select(p => p[0].EnumerateArray().Select(pt => new[] { pt[0].GetDouble(), pt[1].GetDouble() }).ToArray())];
    }

    // Shoelace area of a closed ring, in square degrees.
    private static double Area(double[][] ring) =>
        Math.Abs(Enumerable.Range(0, ring.Length - 1).Sum(i => ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1])) / 2;

    [Fact]
    public void Touching_emprises_become_one_shape_and_apart_ones_stay_apart()
    {
        var merged = EmpriseMerger.Merge(
            [Square(6.00, 49.00, 6.01, 49.01), Square(6.01, 49.00, 6.02, 49.01), Square(7.00, 48.00, 7.01, 48.01)],
            EmpriseMerger.ToleranceAt(18))!;

        Assert.Equal("MultiPolygon", JsonDocument.Parse(merged).RootElement.GetProperty("type").GetString());
        var rings = Rings(merged).OrderBy(r => r[0][0]).ToList();
        Assert.Equal(2, rings.Count);
        // The two touching squares: one rectangle of their summed area, their shared edge gone (4 corners + closing point).
        Assert.Equal(5, rings[0].Length);
        Assert.Equal(2e-4, Area(rings[0]), 9);
        Assert.Equal(1e-4, Area(rings[1]), 9);
        Assert.Null(EmpriseMerger.Merge([], EmpriseMerger.ToleranceAt(6)));
    }

    [Fact]
    public void A_step_smaller_than_half_a_pixel_is_dropped_at_that_zoom_and_kept_closer_in()
    {
        // The third square is raised by 5e-5° (about 5 m): a step in the bottom and top edges of the union.
        // Half a pixel is 360 / (256 * 2^zoom) / 2 degrees: 1.7e-4° at zoom 12 (above the step: dropped) and
        // 2.7e-6° at zoom 18 (below it: kept).
        const double step = 5e-5;
        Assert.True(EmpriseMerger.ToleranceAt(12) > step && EmpriseMerger.ToleranceAt(18) < step);
        string[] tiles = [Square(6.00, 49.00, 6.01, 49.01), Square(6.01, 49.00, 6.02, 49.01), Square(6.02, 49.00 + step, 6.03, 49.01 + step)];

        var close = Assert.Single(Rings(EmpriseMerger.Merge(tiles, EmpriseMerger.ToleranceAt(18))!));
        var far = Assert.Single(Rings(EmpriseMerger.Merge(tiles, EmpriseMerger.ToleranceAt(12))!));

        // Close in: the 8 corners of the stepped outline (+ closing point). Far out: the steps are gone.
        Assert.Equal(9, close.Length);
        Assert.True(far.Length < close.Length, $"{far.Length} points at zoom 12, {close.Length} at zoom 18");
        Assert.Equal(3e-4, Area(close), 9);
        // Dropping a step moves the outline by at most the tolerance along the 0.03°-long edges.
        Assert.InRange(Area(far), 3e-4 - 2 * 0.03 * EmpriseMerger.ToleranceAt(12), 3e-4 + 2 * 0.03 * EmpriseMerger.ToleranceAt(12));
    }
}

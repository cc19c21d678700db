namespace Pcrs.Grains.Catalogue;

/// <summary>
/// The one WGS84 longitude/latitude box of the code base: a tile's bounds, a request's bbox filter, a deliverable's
/// extent. West, south, east, north in degrees (RFC 7946 bbox order); the catalogue stores them as min_lon, min_lat,
/// max_lon, max_lat.
/// </summary>
public readonly record struct GeoBox(double West, double South, double East, double North)
{
    public double[] ToArray() => [West, South, East, North];

    /// <summary>Whether the two boxes share a point (edges included).</summary>
    public bool Intersects(GeoBox other) =>
        West <= other.East && other.West <= East && South <= other.North && other.South <= North;

    /// <summary>The smallest box holding both.</summary>
    public GeoBox Union(GeoBox other) =>
        new(Math.Min(West, other.West), Math.Min(South, other.South), Math.Max(East, other.East), Math.Max(North, other.North));
}

using System.Collections.Concurrent;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace Pcrs.Grains.Formats.Crs;

/// <summary>
/// Footprints in WGS84 (RFC 7946 order: longitude, latitude) of rasters and envelopes given in a table CRS.
/// Coordinates go to the CRS's own geographic system and are taken as WGS84, which is what PROJ does for all these
/// datums (a null transformation, 1 m accuracy by EPSG); going through ProjNET's WGS84 object instead adds a 4.5 mm
/// latitude bias from its approximate geocentric inverse (measured in the research notes).
/// </summary>
public static class Footprint
{
    /// <summary>Points added between two corners, so that the ring follows the curved image of a straight edge.</summary>
    public const int DefaultSegmentsPerEdge = 4;

    private static readonly ConcurrentDictionary<int, Lazy<Projector?>> Projectors = new();

    /// <summary>
    /// The ring of a raster: pixel grid corners (GDAL geotransform, top-left corner convention) with densified edges.
    /// Null when the CRS is not in the table, the geotransform is degenerate, or a point falls outside the projection.
    /// </summary>
    public static IReadOnlyList<GeoPoint>? OfRaster(int? epsg, IReadOnlyList<double>? geoTransform, int width, int height,
        int segmentsPerEdge = DefaultSegmentsPerEdge)
    {
        if (geoTransform is not { Count: 6 } gt || width <= 0 || height <= 0 || !gt.All(double.IsFinite))
        {
            return null;
        }

        (double X, double Y) At(double column, double row) =>
            (gt[0] + column * gt[1] + row * gt[2], gt[3] + column * gt[4] + row * gt[5]);

        return Ring(epsg, [At(0, 0), At(0, height), At(width, height), At(width, 0)], segmentsPerEdge);
    }

    /// <summary>The ring of an envelope in the CRS's own coordinates (easting/longitude first).</summary>
    public static IReadOnlyList<GeoPoint>? OfEnvelope(int? epsg, double minX, double minY, double maxX, double maxY,
        int segmentsPerEdge = DefaultSegmentsPerEdge)
    {
        if (!double.IsFinite(minX) || !double.IsFinite(minY) || !double.IsFinite(maxX) || !double.IsFinite(maxY) || minX > maxX || minY > maxY)
        {
            return null;
        }

        return Ring(epsg, [(minX, maxY), (minX, minY), (maxX, minY), (maxX, maxY)], segmentsPerEdge);
    }

    /// <summary>One point of a table CRS to WGS84 (longitude, latitude); null outside the table or the projection's domain.</summary>
    public static GeoPoint? ToWgs84(int? epsg, double x, double y)
    {
        Projector? projector = ProjectorFor(epsg);
        return projector?.ToLonLat(x, y);
    }

    private static IReadOnlyList<GeoPoint>? Ring(int? epsg, (double X, double Y)[] corners, int segmentsPerEdge)
    {
        Projector? projector = ProjectorFor(epsg);
        if (projector is null)
        {
            return null;
        }

        int segments = Math.Clamp(segmentsPerEdge, 1, 64);
        var ring = new List<GeoPoint>(corners.Length * segments + 1);
        for (int corner = 0; corner < corners.Length; corner++)
        {
            var (x0, y0) = corners[corner];
            var (x1, y1) = corners[(corner + 1) % corners.Length];
            for (int step = 0; step < segments; step++)
            {
                double t = (double)step / segments;
                if (projector.ToLonLat(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) is not GeoPoint point)
                {
                    return null;
                }

                ring.Add(point);
            }
        }

        if (SignedArea(ring) < 0)
        {
            // RFC 7946: exterior rings are counter-clockwise. A south-up or mirrored geotransform gives the other way round.
            ring.Reverse();
        }

        ring.Add(ring[0]);
        return ring;
    }

    private static double SignedArea(List<GeoPoint> ring)
    {
        double area = 0;
        for (int i = 0; i < ring.Count; i++)
        {
            GeoPoint a = ring[i], b = ring[(i + 1) % ring.Count];
            area += a.Longitude * b.Latitude - b.Longitude * a.Latitude;
        }

        return area / 2;
    }

    private static Projector? ProjectorFor(int? epsg)
    {
        if (CrsRegistry.Find(epsg) is not CrsDefinition crs)
        {
            return null;
        }

        return Projectors.GetOrAdd(crs.Epsg, _ => new Lazy<Projector?>(() => Projector.Create(crs))).Value;
    }

    /// <summary>A cached inverse projection; ProjNET transforms are not documented as thread-safe, so calls are serialised.</summary>
    private sealed class Projector
    {
        private readonly MathTransform? _inverse;
        private readonly Lock _gate = new();

        private Projector(MathTransform? inverse) => _inverse = inverse;

        public static Projector? Create(CrsDefinition crs)
        {
            if (crs.IsGeographic)
            {
                // Geographic CRSs: GDAL geotransforms are longitude/latitude already (traditional GIS order).
                return new Projector(null);
            }

            var factory = new CoordinateSystemFactory();
            if (factory.CreateFromWkt(CrsWkt.ToWkt1(crs)) is not ProjectedCoordinateSystem projected)
            {
                return null;
            }

            var transform = new CoordinateTransformationFactory()
                .CreateFromCoordinateSystems(projected, projected.GeographicCoordinateSystem);
            return new Projector(transform.MathTransform);
        }

        public GeoPoint? ToLonLat(double x, double y)
        {
            if (_inverse is null)
            {
                return double.IsFinite(x) && double.IsFinite(y) && Math.Abs(x) <= 360 && Math.Abs(y) <= 90 ? new GeoPoint(x, y) : null;
            }

            double lon, lat;
            lock (_gate)
            {
                (lon, lat) = _inverse.Transform(x, y);
            }

            return double.IsFinite(lon) && double.IsFinite(lat) && Math.Abs(lat) <= 90 ? new GeoPoint(lon, lat) : null;
        }
    }
}

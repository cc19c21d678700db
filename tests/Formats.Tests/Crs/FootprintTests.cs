using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.Crs;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Gdal;

namespace Pcrs.Formats.Tests.Crs;

/// <summary>Footprints against PROJ (through gdaltransform and gdalinfo) for every projected CRS of the table.</summary>
public sealed class FootprintTests
{
    // A point inside each CRS's area of use (longitude, latitude).
    private static (double Lon, double Lat) Inside(CrsDefinition crs) => crs.Epsg switch
    {
        2154 or 9793 or 9794 => (2.35, 48.86),
        5490 or 4559 or 32620 => (-61.55, 16.25),
        2972 or 32622 => (-52.33, 4.94),
        2975 or 32740 => (55.45, -21.1),
        4471 or 32738 => (45.15, -12.78),
        4467 or 32621 => (-56.18, 46.78),
        32630 => (-3.2, 47.5),
        32631 => (2.9, 45.2),
        32632 => (8.7, 42.1),
        _ when crs.Name.Contains("/ CC", StringComparison.Ordinal) => (3.7, crs.LatitudeOfOrigin + 0.2),
        _ => (2.35, 48.86),
    };

    [Fact]
    public void Points_match_proj_within_a_nanodegree_for_every_projected_crs()
    {
        CrsDefinition[] projected = CrsRegistry.All.Where(d => !d.IsGeographic).ToArray();
        var grids = projected.Select(crs =>
        {
            var (lon, lat) = Inside(crs);
            return Enumerable.Range(-2, 5).SelectMany(i => Enumerable.Range(-2, 5).Select(j => (lon + i * 0.3, lat + j * 0.3))).ToList();
        }).ToList();

        // Projected grid points rounded to the millimetre like real coordinates, then PROJ's inverse as the reference.
        var forward = GdalSrsOracle.Transform(projected.Select((crs, k) => ("EPSG:4326", crs.Code, (IEnumerable<(double, double)>)grids[k])));
        var rounded = forward.Select(points => points.Select(p => (Math.Round(p.X, 3), Math.Round(p.Y, 3))).ToList()).ToList();
        var reference = GdalSrsOracle.Transform(projected.Select((crs, k) => (crs.Code, "EPSG:4326", (IEnumerable<(double, double)>)rounded[k])));

        for (int c = 0; c < projected.Length; c++)
        {
            for (int k = 0; k < rounded[c].Count; k++)
            {
                GeoPoint? ours = Footprint.ToWgs84(projected[c].Epsg, rounded[c][k].Item1, rounded[c][k].Item2);
                Assert.True(ours is not null, projected[c].Code);
                Assert.True(Math.Abs(reference[c][k].X - ours.Value.Longitude) < 1e-9, $"{projected[c].Code} lon {reference[c][k].X} vs {ours.Value.Longitude}");
                Assert.True(Math.Abs(reference[c][k].Y - ours.Value.Latitude) < 1e-9, $"{projected[c].Code} lat {reference[c][k].Y} vs {ours.Value.Latitude}");
            }
        }
    }

    [Theory]
    [InlineData("l93_rgb_geojp2_gmljp2.jp2", 2154)]
    [InlineData("cc48_rgb_geojp2_gmljp2.jp2", 3948)]
    public void Raster_ring_corners_are_gdalinfo_wgs84_extent(string fixture, int epsg)
    {
        GdalInfoResult gdal = GdalInfo.Run(Path.Combine(Peers.FixturesDir, fixture));
        Assert.Equal(epsg, gdal.Epsg);

        IReadOnlyList<GeoPoint>? ring = Footprint.OfRaster(epsg, gdal.GeoTransform, gdal.Width, gdal.Height);
        Assert.NotNull(ring);
        int segments = Footprint.DefaultSegmentsPerEdge;
        Assert.Equal(4 * segments + 1, ring.Count);
        Assert.Equal(ring[0], ring[^1]);

        // gdalinfo lists UL, LL, LR, UR, UL (counter-clockwise), printed with 7 decimals.
        for (int corner = 0; corner < 5; corner++)
        {
            GeoPoint ours = ring[corner * segments % (4 * segments)];
            Assert.Equal(gdal.Wgs84Extent![corner].Lon, ours.Longitude, 1e-7);
            Assert.Equal(gdal.Wgs84Extent![corner].Lat, ours.Latitude, 1e-7);
        }
    }

    [Fact]
    public void Rings_are_counter_clockwise_even_for_south_up_grids()
    {
        double[] southUp = [652000, 0.5, 0, 6862600, 0, 0.5];
        IReadOnlyList<GeoPoint> ring = Footprint.OfRaster(2154, southUp, 1000, 800)!;
        double area = 0;
        for (int i = 0; i < ring.Count - 1; i++)
        {
            area += ring[i].Longitude * ring[i + 1].Latitude - ring[i + 1].Longitude * ring[i].Latitude;
        }

        Assert.True(area > 0);
    }

    [Fact]
    public void No_footprint_without_a_known_crs_or_a_sane_geotransform()
    {
        Assert.Null(Footprint.OfRaster(null, [0, 1, 0, 0, 0, -1], 10, 10));
        Assert.Null(Footprint.OfRaster(27572, [600000, 1, 0, 2400000, 0, -1], 10, 10));
        Assert.Null(Footprint.OfRaster(2154, [double.NaN, 1, 0, 0, 0, -1], 10, 10));
        Assert.Null(Footprint.OfRaster(2154, [0, 1, 0], 10, 10));
        Assert.Null(Footprint.OfRaster(2154, [0, 1, 0, 0, 0, -1], 0, 10));
        Assert.Null(Footprint.OfEnvelope(2154, 10, 10, 0, 0));
    }

    [Fact]
    public void Geographic_crs_rings_are_the_coordinates_themselves()
    {
        IReadOnlyList<GeoPoint> ring = Footprint.OfEnvelope(4326, 2, 48, 3, 49, 1)!;
        Assert.Equal([new(2, 49), new(2, 48), new(3, 48), new(3, 49), new(2, 49)], ring);
    }
}

using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.Crs;
using Pcrs.Grains.Formats.Jp2;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Gdal;

namespace Pcrs.Formats.Tests.Jp2;

/// <summary>Every JPEG 2000 variant against <c>gdalinfo -json</c>: the oracle for size, bands, CRS, geotransform and extent.</summary>
public sealed class Jp2ReaderTests
{
    [Theory]
    [MemberData(nameof(Jp2Fixtures.All), MemberType = typeof(Jp2Fixtures))]
    public async Task Reads_what_gdalinfo_reports(string name)
    {
        string path = Jp2Fixtures.PathOf(name);
        GdalInfoResult gdal = GdalInfo.Run(path);
        var (info, georef, bytesRead) = await Jp2Fixtures.ReadAsync(path);

        Assert.Equal(gdal.Width, info.Width);
        Assert.Equal(gdal.Height, info.Height);
        Assert.Equal(gdal.ColorInterpretations.Count, info.Components);
        Assert.Equal(gdal.ColorInterpretations, info.ColorInterpretations);
        Assert.All(gdal.DataTypes, t => Assert.Equal(t, info.DataType));

        using var json = System.Text.Json.JsonDocument.Parse(gdal.Json);
        string reversibility = json.RootElement.GetProperty("metadata").GetProperty("IMAGE_STRUCTURE").GetProperty("COMPRESSION_REVERSIBILITY").GetString()!;
        Assert.Equal(reversibility == "LOSSLESS", info.Reversible);
        var block = json.RootElement.GetProperty("bands")[0].GetProperty("block");
        Assert.Equal(block[0].GetInt32(), info.TileWidth);
        Assert.Equal(block[1].GetInt32(), info.TileHeight);

        Assert.Equal(gdal.Epsg, georef.Epsg);
        if (gdal.GeoTransform is null)
        {
            Assert.Null(georef.GeoTransform);
        }
        else
        {
            Assert.NotNull(georef.GeoTransform);
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(gdal.GeoTransform[i], georef.GeoTransform[i], 1e-9);
            }
        }

        // Band descriptions GDAL shows come from the .aux.xml (NIR on the 4-band file).
        for (int band = 0; band < gdal.Descriptions.Count; band++)
        {
            georef.BandDescriptions.TryGetValue(band + 1, out string? description);
            Assert.Equal(string.IsNullOrEmpty(gdal.Descriptions[band]) ? null : gdal.Descriptions[band], description);
        }

        IReadOnlyList<GeoPoint>? ring = Footprint.OfRaster(georef.Epsg, georef.GeoTransform, info.Width, info.Height);
        if (gdal.Wgs84Extent is null)
        {
            Assert.Null(ring);
        }
        else
        {
            Assert.NotNull(ring);
            int step = Footprint.DefaultSegmentsPerEdge;
            for (int corner = 0; corner < 5; corner++)
            {
                GeoPoint ours = ring[corner * step % (4 * step)];
                Assert.Equal(gdal.Wgs84Extent[corner].Lon, ours.Longitude, 2e-7);
                Assert.Equal(gdal.Wgs84Extent[corner].Lat, ours.Latitude, 2e-7);
            }
        }

        // A few kilobytes, never the codestream: head (4 KB) + at most a tail read + small sidecars.
        long budget = info.GeoBoxesAfterCodestream ? 4096 + 8192 : 4096 + 4096;
        Assert.True(bytesRead <= budget, $"{name}: {bytesRead} bytes read");
    }

    [Fact]
    public async Task Default_gdal_layout_is_read_in_one_request_of_4_KB()
    {
        var file = new FileRangeReader(Jp2Fixtures.PathOf("l93_rgb_geojp2_gmljp2.jp2"));
        Jp2Info info = await Jp2Reader.ReadAsync(file, null, TestContext.Current.CancellationToken);
        Assert.Equal([(0L, 4096)], file.Ranges);
        Assert.Equal("GeoJP2+GMLJP2", info.GeoreferenceSource);
        Assert.Equal(1, info.GmlJp2Version);
        Assert.True(info.HasGeoJp2);
        Assert.Equal(2452 + 8, info.CodestreamOffset);
        Assert.Equal("jp2 ", info.Brand);
        Assert.Equal(4, info.TileCount);
        Assert.False(info.GeoBoxesAfterCodestream);
    }

    [Fact]
    public async Task Geo_boxes_after_the_codestream_cost_one_tail_read()
    {
        string path = Jp2Fixtures.PathOf("l93_rgb_geoboxes_after_jp2c.jp2");
        var file = new FileRangeReader(path);
        Jp2Info info = await Jp2Reader.ReadAsync(file, null, TestContext.Current.CancellationToken);
        Assert.True(info.GeoBoxesAfterCodestream);
        Assert.Equal(2154, info.Epsg);
        Assert.Equal(2, file.Ranges.Count);
        Assert.Equal(0, file.Ranges[0].Offset);
        Assert.Equal(info.CodestreamEnd, file.Ranges[1].Offset);
        Assert.Equal(new FileInfo(path).Length, file.Ranges[1].Offset + file.Ranges[1].Count);
    }

    [Fact]
    public async Task Gmljp2_v2_and_http_srs_names_are_read()
    {
        var (info, _, _) = await Jp2Fixtures.ReadAsync(Jp2Fixtures.PathOf("l93_rgb_gmljp2v2.jp2"));
        Assert.Equal(2, info.GmlJp2Version);
        Assert.Equal("GMLJP2", info.GeoreferenceSource);
        Assert.Equal("jpx ", info.Brand);
    }

    [Fact]
    public async Task Codestream_fields_match_the_creation_options()
    {
        var (info, _, _) = await Jp2Fixtures.ReadAsync(Jp2Fixtures.PathOf("tiled128_reversible.jp2"));
        Assert.True(info.Reversible);
        Assert.Equal(3, info.DecompositionLevels);
        Assert.Equal(128, info.TileWidth);
        Assert.Equal(8L * 7, info.TileCount);
        Assert.Equal(8, info.BitDepth);
        Assert.False(info.IsSigned);

        var (gray, _, _) = await Jp2Fixtures.ReadAsync(Jp2Fixtures.PathOf("gray16_geojp2.jp2"));
        Assert.Equal(16, gray.BitDepth);
        Assert.Equal(17, gray.EnumeratedColourSpace);

        var (raw, georef, _) = await Jp2Fixtures.ReadAsync(Jp2Fixtures.PathOf("raw_with_wld.j2k"));
        Assert.True(raw.IsRawCodestream);
        Assert.Null(raw.Brand);
        Assert.Equal("WorldFile", georef.GeoTransformSource);
    }

    [Theory]
    [InlineData("corrupt_empty.jp2", "empty")]
    [InlineData("corrupt_truncated_200.jp2", "truncated")]
    [InlineData("corrupt_random.tif", "not JPEG 2000")]
    [InlineData("not_an_image.tif", "not JPEG 2000")]
    public async Task Files_gdal_refuses_give_one_clear_error(string name, string expected)
    {
        string path = Path.Combine(Peers.FixturesDir, name);
        Assert.True(GdalInfo.Refuses(path));
        var file = new FileRangeReader(path);
        FormatReadException error = await Assert.ThrowsAsync<FormatReadException>(
            () => Jp2Reader.ReadAsync(file, null, TestContext.Current.CancellationToken));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(file.BytesRead <= 4096);
    }
}

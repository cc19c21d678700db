using Pcrs.Grains.Formats.GeoTiff;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Gdal;

namespace Pcrs.Formats.Tests.GeoTiff;

/// <summary>Every GDAL-written GeoTIFF variant read by our IFD walk must say what <c>gdalinfo -json</c> says.</summary>
public sealed class GeoTiffReaderGdalTests
{
    [Theory]
    [MemberData(nameof(GeoTiffFixtures.All), MemberType = typeof(GeoTiffFixtures))]
    public async Task Header_matches_gdalinfo(string name)
    {
        string path = GeoTiffFixtures.PathOf(name);
        GdalInfoResult gdal = GdalInfo.Run(path, ("GDAL_PAM_ENABLED", "NO"), ("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR"));
        var file = new FileRangeReader(path);

        GeoTiffInfo info = await GeoTiffReader.ReadAsync(file, null, TestContext.Current.CancellationToken);

        Assert.Equal(gdal.Width, info.Width);
        Assert.Equal(gdal.Height, info.Height);
        Assert.Equal(gdal.ColorInterpretations, info.ColorInterpretations);
        Assert.Equal(gdal.Descriptions.Select(d => string.IsNullOrEmpty(d) ? null : d), info.BandDescriptions);
        Assert.All(gdal.DataTypes, t => Assert.Equal(t, info.DataType));
        Assert.Equal(gdal.Compression, info.CompressionName);
        Assert.Equal(gdal.AreaOrPoint ?? "Area", info.AreaOrPoint);
        Assert.Equal(gdal.Epsg, info.Epsg);
        if (gdal.GeoTransform is null)
        {
            Assert.Null(info.GeoTransform);
        }
        else
        {
            Assert.NotNull(info.GeoTransform);
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(gdal.GeoTransform[i], info.GeoTransform[i], 1e-9);
            }
        }

        // Header-only: a few KB whatever the file size, and never the strip/tile arrays.
        Assert.True(file.BytesRead < 8192, $"{name}: read {file.BytesRead} bytes");
    }

    [Fact]
    public async Task Striped_file_skips_the_strip_arrays()
    {
        string path = GeoTiffFixtures.PathOf("many_strips_l93_rgb.tif");
        var file = new FileRangeReader(path);

        GeoTiffInfo info = await GeoTiffReader.ReadAsync(file, null, TestContext.Current.CancellationToken);

        Assert.Equal(1500, info.Height);
        Assert.NotNull(info.GeoTransform);

        // 1500 strips: offsets and byte counts would be 12 KB; we read the IFD and the GeoTIFF values only.
        Assert.True(file.BytesRead < 1500, $"read {file.BytesRead} bytes");
    }

    [Fact]
    public async Task Ifd_written_at_the_end_is_followed()
    {
        string path = GeoTiffFixtures.PathOf("l93_rgb_tiled_lzw_ifd_at_end.tif");
        var file = new FileRangeReader(path);

        GeoTiffInfo info = await GeoTiffReader.ReadAsync(file, null, TestContext.Current.CancellationToken);

        Assert.True(info.FirstIfdOffset > file.Length!.Value / 2, $"IFD at {info.FirstIfdOffset}");
        Assert.Equal(1000, info.Width);
        Assert.True(file.BytesRead < 2048, $"read {file.BytesRead} bytes");
    }

    [Fact]
    public async Task PixelIsPoint_origin_is_shifted_half_a_pixel_like_gdal()
    {
        string path = GeoTiffFixtures.PathOf("point_l93_rgb_deflate.tif");
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(new FileRangeReader(path), null, TestContext.Current.CancellationToken);

        Assert.Equal("Point", info.AreaOrPoint);
        Assert.NotNull(info.ModelTiepoint);

        // The file stores the centre of pixel (0,0); GDAL's geotransform is its corner.
        Assert.Equal(652000.25, info.ModelTiepoint[3], 1e-9);
        Assert.Equal(652000.0, info.GeoTransform![0], 1e-9);

        // With the shift disabled GDAL reports the stored centre: the reader's shift is the only difference.
        GdalInfoResult ignored = GdalInfo.Run(path, ("GTIFF_POINT_GEO_IGNORE", "TRUE"));
        Assert.Equal(info.ModelTiepoint[3], ignored.GeoTransform![0], 1e-9);
    }

    [Fact]
    public async Task Rotated_geotransform_comes_from_ModelTransformation()
    {
        string path = GeoTiffFixtures.PathOf("rotated_l93_rgb_lzw.tif");
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(new FileRangeReader(path), null, TestContext.Current.CancellationToken);

        Assert.NotNull(info.ModelTransformation);
        Assert.Null(info.ModelPixelScale);
        Assert.Equal([652000.0, 0.5, 0.1, 6863000.0, 0.08, -0.5], info.GeoTransform);
    }

    [Fact]
    public async Task Cog_overviews_are_counted_along_the_chain()
    {
        string path = GeoTiffFixtures.PathOf("cog_l93_rgb.tif");
        var file = new FileRangeReader(path);
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(file, null, TestContext.Current.CancellationToken);

        Assert.True(info.IfdCount >= 3, $"{info.IfdCount} IFDs");
        Assert.True(info.FirstIfdOffset > 8, "COG ghost area precedes IFD0");
    }

    [Fact]
    public async Task BigTiff_big_endian_is_read()
    {
        string path = GeoTiffFixtures.PathOf("bigendian_bigtiff_l93_rgb_tiled.tif");
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(new FileRangeReader(path), null, TestContext.Current.CancellationToken);

        Assert.True(info.IsBigTiff);
        Assert.False(info.IsLittleEndian);
        Assert.Equal(2154, info.Epsg);
        Assert.Equal(256, info.TileWidth);
    }
}

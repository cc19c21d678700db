using Microsoft.Extensions.Options;
using Pcrs.Formats.Tests.GeoTiff;
using Pcrs.Grains.Formats;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Gdal;
using FormatsTileReader = Pcrs.Grains.Formats.TileReader;

namespace Pcrs.Formats.Tests.TileReader;

/// <summary>The top-level reader: dispatch by signature, sidecar precedence, classification, budget, one clear error.</summary>
public sealed class TileReaderTests
{
    private static FormatsTileReader Reader(TileReaderOptions? options = null, TileReaderParts? parts = null) =>
        new(Options.Create(options ?? new TileReaderOptions()), parts);

    private static Task<TileMetadata> Read(string path, TileReaderOptions? options = null, TileReaderParts? parts = null, params string[] sidecars) =>
        Reader(options, parts).ReadAsync(new FileRangeReader(path), [.. sidecars.Select(s => new FileRangeReader(s))], TestContext.Current.CancellationToken);

    [Theory]
    [MemberData(nameof(GeoTiffFixtures.All), MemberType = typeof(GeoTiffFixtures))]
    public async Task GeoTiff_fixtures_read_like_gdalinfo_within_a_few_kilobytes(string name)
    {
        string path = GeoTiffFixtures.PathOf(name);
        GdalInfoResult gdal = GdalInfo.Run(path, ("GDAL_PAM_ENABLED", "NO"), ("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR"));

        TileMetadata m = await Read(path);

        Assert.Null(m.Error);
        Assert.Equal("GeoTIFF", m.Format);
        Assert.Equal(DataKind.Raster, m.Kind);
        Assert.Equal(gdal.Width, m.Width);
        Assert.Equal(gdal.Height, m.Height);
        Assert.Equal(gdal.ColorInterpretations.Count, m.Bands);
        Assert.Equal(gdal.Epsg, m.Epsg);
        Assert.Equal(gdal.GeoTransform, m.GeoTransform);
        Assert.Equal(gdal.Compression ?? "None", m.Compression);

        if (gdal.Epsg is int code && Pcrs.Grains.Formats.Crs.CrsRegistry.Find(code) is not null)
        {
            Assert.Equal(gdal.CrsName, m.CrsName);
            Assert.NotNull(m.Footprint);
            foreach ((double lon, double lat) in gdal.Wgs84Extent!)
            {
                // gdalinfo prints 7 decimals.
                Assert.Contains(m.Footprint, p => Math.Abs(p.Longitude - lon) < 1e-6 && Math.Abs(p.Latitude - lat) < 1e-6);
            }
        }

        // Head read-ahead of 4 KB, plus one block for an IFD at the end or values after strip arrays.
        Assert.True(m.BytesRead <= 12 * 1024, $"{name}: {m.BytesRead} bytes");
    }

    [Fact]
    public async Task Nir_band_is_named_from_its_description()
    {
        TileMetadata m = await Read(GeoTiffFixtures.PathOf("l93_rgbi_4band_tiled_deflate.tif"));
        Assert.Equal(["Red", "Green", "Blue", "NIR"], m.BandNames);
        Assert.Equal(8, m.BitsPerSample);

        TileMetadata m12 = await Read(GeoTiffFixtures.PathOf("l93_rgbi_4band_uint16_12bit.tif"));
        Assert.Equal(["Red", "Green", "Blue", "NIR"], m12.BandNames);
        Assert.Equal(12, m12.BitsPerSample);
    }

    [Fact]
    public async Task Five_centimetre_rgb_tile_in_an_accepted_crs_is_pcrs_raster()
    {
        TileMetadata m = await Read(GeoTiffFixtures.PathOf("utm20n_5490_rgb.tif"));
        Assert.Equal(TileClassification.PcrsRaster, m.Classification);
        Assert.Empty(m.ConformityHints);
        Assert.Equal(0.05, m.Resolution!.Value, 1e-12);
    }

    [Fact]
    public async Task Coarse_or_wrong_crs_tiles_are_other_raster_with_hints()
    {
        TileMetadata half = await Read(GeoTiffFixtures.PathOf("l93_rgb_tiled_lzw.tif"));
        Assert.Equal(TileClassification.OtherRaster, half.Classification);
        Assert.Contains(half.ConformityHints, h => h.Contains("coarser than 5 cm"));
        // Small and tiled: cloud-optimised by GDAL's validator; the flag reaches the tile's metadata.
        Assert.True(half.CloudOptimized);

        TileMetadata wgs = await Read(GeoTiffFixtures.PathOf("float32_wgs84_nodata.tif"));
        Assert.Equal(TileClassification.OtherRaster, wgs.Classification);
        Assert.Contains(wgs.ConformityHints, h => h.Contains("EPSG:4326 is not accepted"));
        Assert.Contains(wgs.ConformityHints, h => h.Contains("not RGB or IRC"));

        TileMetadata plain = await Read(GeoTiffFixtures.PathOf("nogeo_rgb_plain.tif"));
        Assert.Contains("no georeferencing", plain.ConformityHints);
        Assert.Null(plain.Footprint);
    }

    [Fact]
    public async Task Html_page_named_tif_is_one_clear_error()
    {
        string path = Path.Combine(Peers.FixturesDir, "not_an_image.tif");
        TileMetadata m = await Read(path);
        Assert.Equal("Not a TIFF: looks like an HTML page.", m.Error);
        Assert.True(GdalInfo.Refuses(path));
        Assert.Equal(new FileInfo(path).Length, m.BytesRead);
    }

    [Theory]
    [InlineData("corrupt_random.tif", "Not a TIFF")]
    [InlineData("corrupt_empty.jp2", "The file is empty.")]
    public async Task Corrupt_fixtures_gdal_refuses_give_one_error(string name, string expected)
    {
        string path = Path.Combine(Peers.FixturesDir, name);
        TileMetadata m = await Read(path);
        Assert.NotNull(m.Error);
        Assert.StartsWith(expected, m.Error);
        Assert.True(GdalInfo.Refuses(path));
        Assert.True(m.BytesRead <= 4096);
    }

    [Fact]
    public async Task Truncated_tiff_with_intact_header_reads_like_gdal()
    {
        // gdalinfo opens this 2 KB head of a tiled TIFF: the header and GeoTIFF values are all there.
        string path = Path.Combine(Peers.FixturesDir, "corrupt_truncated_2k.tif");
        GdalInfoResult gdal = GdalInfo.Run(path);
        TileMetadata m = await Read(path);
        Assert.Null(m.Error);
        Assert.Equal(gdal.Width, m.Width);
        Assert.Equal(gdal.GeoTransform, m.GeoTransform);
    }

    [Fact]
    public async Task Byte_budget_stops_a_header_that_needs_more()
    {
        // The GeoTIFF values of this striped file sit after 12 KB of strip arrays: a 4 KB budget cannot reach them.
        var options = new TileReaderOptions { MaxBytesPerFile = 4096, HeadBytes = 4096, MinFetchBytes = 4096 };
        TileMetadata m = await Read(GeoTiffFixtures.PathOf("many_strips_l93_rgb.tif"), options);
        Assert.Equal("Reading the header would need more than the 4096 bytes allowed per file.", m.Error);
        Assert.True(m.BytesRead <= 4096);
    }

    public static IEnumerable<TheoryDataRow<string>> PeerDataFiles() =>
        Directory.GetFiles(Peers.FixturesDir)
            .Select(Path.GetFileName)
            .Where(n => n!.EndsWith(".tif", StringComparison.Ordinal) || n.EndsWith(".jp2", StringComparison.Ordinal) || n.EndsWith(".j2k", StringComparison.Ordinal))
            .Where(n => !n!.StartsWith("corrupt_", StringComparison.Ordinal) && n != "not_an_image.tif")
            .Order(StringComparer.Ordinal)
            .Select(n => new TheoryDataRow<string>(n!));

    [Theory]
    [MemberData(nameof(PeerDataFiles))]
    public async Task Data_files_with_their_sidecars_read_like_gdalinfo(string name)
    {
        // The directory listing hands over every sibling sharing the stem, as the directory grain does.
        string path = Path.Combine(Peers.FixturesDir, name);
        string stem = Path.GetFileNameWithoutExtension(name);
        string[] sidecars = [.. Directory.GetFiles(Peers.FixturesDir, stem + ".*").Where(f => Path.GetFileName(f) != name)];
        GdalInfoResult gdal = GdalInfo.Run(path);

        TileMetadata m = await Read(path, sidecars: sidecars);

        Assert.Null(m.Error);
        Assert.Equal(gdal.Width, m.Width);
        Assert.Equal(gdal.Height, m.Height);
        Assert.Equal(gdal.ColorInterpretations.Count, m.Bands);
        Assert.Equal(gdal.Epsg, m.Epsg);
        Assert.Equal(gdal.CrsName, m.CrsName);
        if (gdal.GeoTransform is null)
        {
            Assert.Null(m.GeoTransform);
        }
        else
        {
            Assert.NotNull(m.GeoTransform);
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(gdal.GeoTransform[i], m.GeoTransform[i], 1e-6);
            }
        }

        for (int i = 0; i < gdal.ColorInterpretations.Count; i++)
        {
            string expected = gdal.Descriptions[i] == "NIR" ? "NIR" : gdal.ColorInterpretations[i];
            Assert.Equal(expected, m.BandNames[i]);
        }

        long sidecarBytes = sidecars.Sum(f => new FileInfo(f).Length);
        Assert.True(m.BytesRead <= (12 * 1024) + sidecarBytes, $"{name}: {m.BytesRead} bytes");
    }

    [Theory]
    [InlineData("SQLite format 3\0", "GeoPackage")]
    [InlineData("  0\r\nSECTION\r\n  2\r\nHEADER\r\n", "DXF")]
    public async Task Vector_files_are_recognised_by_signature(string start, string format)
    {
        byte[] data = new byte[200];
        System.Text.Encoding.ASCII.GetBytes(start).CopyTo(data, 0);
        if (format == "GeoPackage")
        {
            "GPKG"u8.CopyTo(data.AsSpan(68));
        }

        TileMetadata m = await Reader().ReadAsync(new MemoryRangeReader("x", data), [], TestContext.Current.CancellationToken);
        Assert.Null(m.Error);
        Assert.Equal(format, m.Format);
        Assert.Equal(DataKind.Vector, m.Kind);
    }

    [Fact]
    public async Task Pcrs_gml_is_pcrs_vector()
    {
        byte[] gml = System.Text.Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\"?><pcrs:PlanCorpsRueSimplifie xmlns:pcrs=\"http://cnig.gouv.fr/pcrs\" xmlns:gml=\"http://www.opengis.net/gml/3.2\"/>");
        TileMetadata m = await Reader().ReadAsync(new MemoryRangeReader("a.gml", gml), [], TestContext.Current.CancellationToken);
        Assert.Equal("GML", m.Format);
        Assert.Equal(TileClassification.PcrsVector, m.Classification);
    }

    [Fact]
    public async Task Pcrs_gml_file_is_streamed_whole_with_counts_crs_and_footprint()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Gml", "Fixtures", "pcrs_bounded_l93.gml");

        // A budget smaller than the file: GML is read to the end anyway (counts need it); the budget is for headers.
        TileMetadata m = await Read(path, new TileReaderOptions { MaxBytesPerFile = 4096, HeadBytes = 512 });

        Assert.Null(m.Error);
        Assert.Equal("GML", m.Format);
        Assert.Equal(TileClassification.PcrsVector, m.Classification);
        Assert.Equal(2154, m.Epsg);
        Assert.Equal("RGF93 v1 / Lambert-93", m.CrsName);
        Assert.NotNull(m.FeatureCounts);
        Assert.NotEmpty(m.FeatureCounts);
        Assert.NotNull(m.Footprint);
        Assert.True(m.BytesRead >= new FileInfo(path).Length);
    }

    [Fact]
    public async Task Storage_failure_is_one_sentence_not_an_exception()
    {
        TileMetadata m = await Reader().ReadAsync(new ThrowingReader(), [], TestContext.Current.CancellationToken);
        Assert.Equal("Reading broken.tif failed: connection reset.", m.Error);
    }

    private sealed class ThrowingReader : IRangeReader
    {
        public string Name => "broken.tif";

        public long? Length => 1000;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
            throw new IOException("connection reset.");
    }
}

using System.Text;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.GeoTiff;
using Pcrs.Grains.Formats.WorldFile;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Gdal;

namespace Pcrs.Formats.Tests.Sidecars;

/// <summary>World files, .aux.xml and .prj, with GDAL's precedence checked against gdalinfo on the fixtures.</summary>
public sealed class SidecarTests
{
    private static IRangeReader Text(string name, string content) => new MemoryRangeReader(name, Encoding.UTF8.GetBytes(content));

    [Theory]
    [InlineData("nogeo_rgb_with_tfw.tif", "WorldFile", null)]
    [InlineData("nogeo_rgb_with_tfw_and_aux.tif", "AuxXml", "AuxXml")]
    [InlineData("nogeo_rgb_plain.tif", null, null)]
    [InlineData("l93_rgb_tiled_lzw.tif", "GeoTIFF", "GeoTIFF")]
    public async Task Tiff_sidecars_follow_gdal(string name, string? gtSource, string? crsSource)
    {
        string path = Path.Combine(Peers.FixturesDir, name);
        GdalInfoResult gdal = GdalInfo.Run(path);
        GeoTiffInfo tiff = await GeoTiffReader.ReadAsync(new FileRangeReader(path), null, TestContext.Current.CancellationToken);
        string stem = Path.GetFileNameWithoutExtension(name);
        var sidecars = Directory.GetFiles(Peers.FixturesDir, stem + ".*").Where(p => p != path)
            .Select(p => (IRangeReader)new FileRangeReader(p)).ToList();

        ResolvedGeoreference resolved = await SidecarResolver.ResolveAsync(
            name, tiff.GeoTransform, tiff.Epsg, tiff.GeoTransform is null ? null : "GeoTIFF", sidecars, TestContext.Current.CancellationToken);

        Assert.Equal(gdal.Epsg, resolved.Epsg);
        Assert.Equal(gtSource, resolved.GeoTransformSource);
        Assert.Equal(crsSource, resolved.CrsSource);
        if (gdal.GeoTransform is null)
        {
            Assert.Null(resolved.GeoTransform);
        }
        else
        {
            Assert.Equal(gdal.GeoTransform, resolved.GeoTransform!.ToArray());
        }

        // Only the sidecars that can change the answer are fetched: none for a georeferenced TIFF without .aux.xml.
        Assert.Equal(gdal.Files.Skip(1).Select(Path.GetFileName).Order(), resolved.FilesRead.Order());
    }

    [Fact]
    public void World_file_centre_becomes_gdal_corner()
    {
        double[] gt = WorldFileParser.Parse("0.5\n0.0\n0.0\n-0.5\n652000.25\n6862999.75\n")!;
        Assert.Equal([652000, 0.5, 0, 6863000, 0, -0.5], gt);

        double[] rotated = WorldFileParser.Parse(" 2\r\n 0.5\r\n 0.25\r\n -2\r\n 100\r\n 200\r\n")!;
        Assert.Equal([100 - 1 - 0.125, 2, 0.25, 200 - 0.25 + 1, 0.5, -2], rotated);

        Assert.Null(WorldFileParser.Parse("0.5\n0\n0\n-0.5\n652000.25\n"));
        Assert.Null(WorldFileParser.Parse("a\nb\nc\nd\ne\nf\n"));
        Assert.Null(WorldFileParser.Parse("0\n0\n0\n0\n1\n1\n"));
        Assert.Null(WorldFileParser.Parse(new string('1', 10_000)));
    }

    [Theory]
    [InlineData("x.jp2", "x.j2w", "x.jp2w", "x.wld")]
    [InlineData("x.tif", "x.tfw", "x.tifw", "x.wld")]
    [InlineData("x.tiff", "x.tfw", "x.tiffw", "x.wld")]
    [InlineData("x.j2k", "x.jkw", "x.j2kw", "x.wld")]
    public void World_file_names_are_gdals(string data, string first, string second, string third) =>
        Assert.Equal([first, second, third], WorldFileParser.CandidateNames(data));

    [Fact]
    public async Task Precedence_is_pam_then_file_then_world_file_then_prj()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        double[] internalGt = [1, 1, 0, 2, 0, -1];
        IRangeReader world = Text("t.TFW", "0.5\n0\n0\n-0.5\n652000.25\n6862999.75\n");
        IRangeReader prj = Text("t.prj", Pcrs.Grains.Formats.Crs.CrsWkt.ToWkt1(Pcrs.Grains.Formats.Crs.CrsRegistry.Find(3948)!));
        IRangeReader aux = Text("t.tif.aux.xml",
            "<PAMDataset><SRS>EPSG:2975</SRS><GeoTransform>10, 1, 0, 20, 0, -1</GeoTransform>"
            + "<PAMRasterBand band=\"4\"><Description>NIR</Description></PAMRasterBand></PAMDataset>");

        ResolvedGeoreference internalWins = await SidecarResolver.ResolveAsync("t.tif", internalGt, 2154, "GeoTIFF", [world, prj], ct);
        Assert.Equal(internalGt, internalWins.GeoTransform!.ToArray());
        Assert.Equal(2154, internalWins.Epsg);
        Assert.Empty(internalWins.FilesRead);

        ResolvedGeoreference pamWins = await SidecarResolver.ResolveAsync("t.tif", internalGt, 2154, "GeoTIFF", [world, prj, aux], ct);
        Assert.Equal([10.0, 1, 0, 20, 0, -1], pamWins.GeoTransform!.ToArray());
        Assert.Equal(2975, pamWins.Epsg);
        Assert.Equal("NIR", pamWins.BandDescriptions[4]);

        ResolvedGeoreference worldAndPrj = await SidecarResolver.ResolveAsync("t.tif", null, null, null, [world, prj], ct);
        Assert.Equal([652000, 0.5, 0, 6863000, 0, -0.5], worldAndPrj.GeoTransform!.ToArray());
        Assert.Equal(3948, worldAndPrj.Epsg);
        Assert.Equal(("WorldFile", "Prj"), (worldAndPrj.GeoTransformSource, worldAndPrj.CrsSource));
    }

    [Fact]
    public async Task Bad_sidecars_become_warnings_not_errors()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        IRangeReader[] bad =
        [
            Text("t.tif.aux.xml", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><PAMDataset>&e;</PAMDataset>"),
            Text("t.tfw", "<html>404</html>"),
            Text("t.prj", "PROJCS[\"broken"),
            new MemoryRangeReader("t.wld", new byte[WorldFileParser.MaxBytes + 1]),
        ];
        ResolvedGeoreference resolved = await SidecarResolver.ResolveAsync("t.tif", null, null, null, bad, ct);
        Assert.Null(resolved.GeoTransform);
        Assert.Null(resolved.Epsg);
        Assert.True(resolved.Warnings.Count >= 3, string.Join(" | ", resolved.Warnings));
    }

    [Fact]
    public void Aux_xml_written_by_gdal_is_read()
    {
        string xml = File.ReadAllText(Path.Combine(Peers.FixturesDir, "l93_rgb_raw.j2k.aux.xml"));
        AuxXmlInfo info = AuxXmlParser.Parse(xml)!;
        Assert.Equal(2154, info.Epsg);
        Assert.Equal([652000, 0.5, 0, 6863000, 0, -0.5], info.GeoTransform!);
        Assert.Equal("Red", info.BandColorInterpretations[1]);
        Assert.Null(AuxXmlParser.Parse("<other/>"));
        Assert.Null(AuxXmlParser.Parse("not xml"));
    }
}

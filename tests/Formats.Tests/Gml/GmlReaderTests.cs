using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.Crs;
using Pcrs.Grains.Formats.Gml;
using Pcrs.Grains.Formats.Vector;
using Pcrs.TestSupport;

namespace Pcrs.Formats.Tests.Gml;

/// <summary>PCRS GML read as a stream, checked against ogrinfo (GDAL's GML driver) for counts and extents.</summary>
public sealed partial class GmlReaderTests
{
    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Gml", "Fixtures", name);

    [Theory]
    [InlineData("pcrs_bounded_l93.gml", 2154, "boundedBy")]
    [InlineData("pcrs_unbounded_cc48_3d.gml", 3948, "computed")]
    public async Task Counts_and_extent_match_ogrinfo(string name, int epsg, string envelopeSource)
    {
        var file = new FileRangeReader(FixturePath(name));
        GmlInfo info = await GmlReader.ReadAsync(file, null, TestContext.Current.CancellationToken);
        var (counts, extent) = OgrInfo(FixturePath(name));

        Assert.True(info.IsPcrs);
        Assert.Equal("PlanCorpsRueSimplifie", info.RootElement);
        Assert.Equal("2.0", info.Version);
        Assert.Equal(epsg, info.Epsg);
        Assert.Equal(envelopeSource, info.EnvelopeSource);
        Assert.False(info.Truncated);
        Assert.Equal(new FileInfo(FixturePath(name)).Length, info.BytesRead);
        Assert.Equal(counts.OrderBy(p => p.Key), info.FeatureCounts.Select(p => KeyValuePair.Create(p.Key.Replace("pcrs:", "", StringComparison.Ordinal), p.Value)).OrderBy(p => p.Key));
        Assert.NotNull(info.Envelope);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(extent[i], info.Envelope[i], 1e-6);
        }

        Assert.NotNull(Footprint.OfEnvelope(info.Epsg, info.Envelope[0], info.Envelope[1], info.Envelope[2], info.Envelope[3]));
    }

    [Fact]
    public async Task Latitude_first_crs_envelopes_are_swapped_to_lon_lat()
    {
        const string xml = """
            <gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:x="urn:x">
              <gml:featureMember><x:Thing><x:g><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.85 2.35</gml:pos></gml:Point></x:g></x:Thing></gml:featureMember>
              <gml:featureMember><x:Thing><x:g><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.86 2.36</gml:pos></gml:Point></x:g></x:Thing></gml:featureMember>
            </gml:FeatureCollection>
            """;
        GmlInfo info = await GmlReader.ReadAsync(new MemoryRangeReader("x.gml", Encoding.UTF8.GetBytes(xml)), null, TestContext.Current.CancellationToken);
        Assert.False(info.IsPcrs);
        Assert.Equal(4326, info.Epsg);
        Assert.Equal([2.35, 48.85, 2.36, 48.86], info.Envelope);
        Assert.Equal(2, info.FeatureCounts["x:Thing"]);
    }

    [Fact]
    public async Task Dtd_and_external_entities_are_refused()
    {
        const string xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>
            <r xmlns:gml="http://www.opengis.net/gml/3.2">&e;</r>
            """;
        FormatReadException error = await Assert.ThrowsAsync<FormatReadException>(
            () => GmlReader.ReadAsync(new MemoryRangeReader("x.gml", Encoding.UTF8.GetBytes(xml)), null, TestContext.Current.CancellationToken));
        Assert.Contains("XML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Byte_cap_stops_the_stream_with_partial_counts()
    {
        var file = new FileRangeReader(FixturePath("pcrs_bounded_l93.gml"));
        GmlInfo info = await GmlReader.ReadAsync(file, new GmlReader.Limits { MaxBytes = 2500 }, TestContext.Current.CancellationToken);
        Assert.True(info.Truncated);
        Assert.True(info.BytesRead <= 2500);
        Assert.Equal(2154, info.Epsg);
    }

    [Fact]
    public async Task Garbage_gives_one_clear_error()
    {
        await Assert.ThrowsAsync<FormatReadException>(
            () => GmlReader.ReadAsync(new MemoryRangeReader("x.gml", new byte[] { 1, 2, 3, 0, 255 }), null, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<FormatReadException>(
            () => GmlReader.ReadAsync(new MemoryRangeReader("x.gml", Array.Empty<byte>()), null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Vector_signatures_are_recognised()
    {
        Assert.Equal(VectorFormat.Gml, VectorSignature.Recognise(File.ReadAllBytes(FixturePath("pcrs_bounded_l93.gml"))));
        Assert.Equal(VectorFormat.Dxf, VectorSignature.Recognise("  0\nSECTION\n  2\nHEADER\n"u8));
        Assert.Equal(VectorFormat.Dxf, VectorSignature.Recognise("0\r\nSECTION\r\n"u8));
        Assert.Equal(VectorFormat.None, VectorSignature.Recognise("<html><body>404</body></html>"u8));
        Assert.Equal(VectorFormat.None, VectorSignature.Recognise([]));

        // Real files written by GDAL: a GeoPackage and a DXF from the PCRS fixture.
        string dir = Directory.CreateTempSubdirectory("pcrs-vector-").FullName;
        try
        {
            string gpkg = Path.Combine(dir, "pcrs.gpkg");
            string dxf = Path.Combine(dir, "pcrs.dxf");
            string sqlite = Path.Combine(dir, "plain.sqlite");
            Run("ogr2ogr", "-f", "GPKG", gpkg, FixturePath("pcrs_bounded_l93.gml"));
            Run("ogr2ogr", "-f", "DXF", "-skipfailures", dxf, FixturePath("pcrs_bounded_l93.gml"));
            Run("ogr2ogr", "-f", "SQLite", sqlite, FixturePath("pcrs_bounded_l93.gml"));
            Assert.Equal(VectorFormat.GeoPackage, VectorSignature.Recognise(Head(gpkg)));
            Assert.Equal(VectorFormat.Dxf, VectorSignature.Recognise(Head(dxf)));
            Assert.Equal(VectorFormat.None, VectorSignature.Recognise(Head(sqlite)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] Head(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        return all[..Math.Min(all.Length, VectorSignature.HeadBytes)];
    }

    /// <summary>ogrinfo's feature count per layer and the union of the layer extents, on a copy (the GML driver writes a .gfs).</summary>
    private static (Dictionary<string, long> Counts, double[] Extent) OgrInfo(string path)
    {
        string dir = Directory.CreateTempSubdirectory("pcrs-gml-").FullName;
        try
        {
            string copy = Path.Combine(dir, Path.GetFileName(path));
            File.Copy(path, copy);
            string output = Run("ogrinfo", "-ro", "-so", "-al", copy);
            var counts = new Dictionary<string, long>();
            double[] extent = [double.MaxValue, double.MaxValue, double.MinValue, double.MinValue];
            string? layer = null;
            foreach (string line in output.Split('\n'))
            {
                if (line.StartsWith("Layer name: ", StringComparison.Ordinal))
                {
                    layer = line["Layer name: ".Length..].Trim();
                }
                else if (line.StartsWith("Feature Count: ", StringComparison.Ordinal) && layer is not null)
                {
                    counts[layer] = long.Parse(line["Feature Count: ".Length..].Trim(), CultureInfo.InvariantCulture);
                }
                else if (ExtentLine().Match(line) is { Success: true } m)
                {
                    double[] v = [.. new[] { "x0", "y0", "x1", "y1" }.Select(g => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture))];
                    extent = [Math.Min(extent[0], v[0]), Math.Min(extent[1], v[1]), Math.Max(extent[2], v[2]), Math.Max(extent[3], v[3])];
                }
            }

            return (counts, extent);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {stderr.Result}");
        return output;
    }

    [GeneratedRegex(@"^Extent: \((?<x0>[-\d.]+), (?<y0>[-\d.]+)\) - \((?<x1>[-\d.]+), (?<y1>[-\d.]+)\)", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ExtentLine();
}

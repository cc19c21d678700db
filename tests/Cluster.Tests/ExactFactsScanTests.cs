using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Gdal;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// One scratch tree for the class: the standard tree, JPEG 2000 tiles whose CRS and geotransform sit only in their
/// .aux.xml, and raw .j2k codestreams made with GDAL beside a world file and a .prj (under the names GDAL reads, .jkw,
/// and the .j2w it does not read for a .j2k).
/// </summary>
public sealed class ExactFactsTree : IDisposable
{
    public ExactFactsTree()
    {
        Tree = ScratchTree.Standard("exact-" + Guid.NewGuid().ToString("N")[..8]);
        Tree.Copy("nogeo_rgb_with_aux_xml.jp2", "/j/nogeo_rgb_with_aux_xml.jp2");
        Tree.Copy("nogeo_rgb_with_aux_xml.jp2.aux.xml", "/j/nogeo_rgb_with_aux_xml.jp2.aux.xml");
        Tree.Copy("l93_rgb_raw.j2k", "/j/l93_rgb_raw.j2k");
        Tree.Copy("l93_rgb_raw.j2k.aux.xml", "/j/l93_rgb_raw.j2k.aux.xml");
        Tree.Copy("l93_rgbi_4band.jp2", "/j/l93_rgbi_4band.jp2");
        Tree.Copy("l93_rgbi_4band.jp2.aux.xml", "/j/l93_rgbi_4band.jp2.aux.xml");
        RawCodestreamWithWorldFile("/k/trio.j2k", ".jkw");
        RawCodestreamWithWorldFile("/k/trio_j2w.j2k", ".j2w");
        LocalScan = new(() => ScanAsync("file://" + Tree.Root));
    }

    public ScratchTree Tree { get; }

    /// <summary>The scan verb's file lines over file://, the reference (run once for the class).</summary>
    public Lazy<Task<Dictionary<string, JsonElement>>> LocalScan { get; }

    /// <summary>Runs the scan verb (--json) and keys its file lines by path.</summary>
    public static async Task<Dictionary<string, JsonElement>> ScanAsync(string url, params string[] extra)
    {
        var (exit, stdout, stderr) = await SiloVerb.RunAsync(["scan", url, "--json", "--max-connections", "2", .. extra]);
        Assert.True(exit == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "file")
            .ToDictionary(l => l.GetProperty("path").GetString()!);
    }

    /// <summary>Data files of the tree, relative to its root.</summary>
    public IEnumerable<string> DataFiles => ScratchTree.StandardFiles.Keys.Concat(
        ["/j/nogeo_rgb_with_aux_xml.jp2", "/j/l93_rgb_raw.j2k", "/j/l93_rgbi_4band.jp2", "/k/trio.j2k", "/k/trio_j2w.j2k"]);

    /// <summary>A GDAL raw codestream (no GeoJP2, no GMLJP2, its .aux.xml deleted) with the world file and .prj of its source.</summary>
    private void RawCodestreamWithWorldFile(string relative, string worldExtension)
    {
        string target = Tree.Local(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Run("gdal_translate", "-q", "-of", "JP2OpenJPEG", "-co", "CODEC=J2K", "-co", "GMLJP2=NO", "-co", "GeoJP2=NO", "-outsize", "256", "256",
            Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"), target);
        var georeferenced = GdalInfo.Run(target); // through the .aux.xml gdal_translate wrote
        File.Delete(target + ".aux.xml");
        double[] gt = georeferenced.GeoTransform!;
        // A world file names the centre of the top-left pixel.
        string[] lines = [.. new[] { gt[1], gt[4], gt[2], gt[5], gt[0] + gt[1] / 2 + gt[2] / 2, gt[3] + gt[4] / 2 + gt[5] / 2 }
            .Select(v => v.ToString("R", CultureInfo.InvariantCulture))];
        File.WriteAllLines(Path.ChangeExtension(target, worldExtension), lines);
        File.WriteAllText(Path.ChangeExtension(target, ".prj"), Run("gdalsrsinfo", "-o", "wkt_esri", "EPSG:2154").Trim());
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(target)!))
            File.SetLastWriteTimeUtc(file, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    private static string Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}");
        return output;
    }

    public void Dispose() => Tree.Dispose();
}

/// <summary>
/// The facts a scan stores do not depend on the server's listing style: over Apache's FancyIndexing and lighttpd (sizes
/// rounded: "51K", "53.6K"), nginx over TLS (rounded too), webfs ("2120 kB"), Caddy ("588 KiB"), Python's http.server
/// (no sizes), mini_httpd (directories without '/') and WEBrick, the scan verb reports for every data file the exact
/// size, and the same CRS, geotransform, resolution and error as over file://, sidecars included.
/// </summary>
public sealed class ExactFactsScanTests(ExactFactsTree fixture) : IClassFixture<ExactFactsTree>
{
    public static TheoryData<string> Servers => ["apache", "lighttpd", "nginx", "nginx-https", "webfs", "mini_httpd", "python-http.server", "webrick", "caddy"];

    private static (int Port, string Scheme) Server(string name) => name switch
    {
        "apache" => (Peers.Apache, "http"),
        "lighttpd" => (Peers.Lighttpd, "http"),
        "nginx" => (Peers.Nginx, "http"),
        "nginx-https" => (Peers.NginxTls, "https"),
        "webfs" => (Peers.Webfs, "http"),
        "mini_httpd" => (Peers.MiniHttpd, "http"),
        "python-http.server" => (Peers.PythonHttp, "http"),
        "webrick" => (Peers.Webrick, "http"),
        "caddy" => (Peers.Caddy, "http"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Every_file_has_the_exact_size_and_the_georeferencing_it_has_over_file(string server)
    {
        var local = await fixture.LocalScan.Value;
        var (port, scheme) = Server(server);
        var remote = await ExactFactsTree.ScanAsync($"{scheme}://{Peers.Host}:{port}{fixture.Tree.ServerPath}/", scheme == "https" ? ["--trust", Pin()] : []);

        Assert.Equal(fixture.DataFiles.Order(StringComparer.Ordinal), remote.Keys.Order(StringComparer.Ordinal));
        foreach (string path in fixture.DataFiles)
        {
            var (mine, reference) = (remote[path], local[path]);
            Assert.Equal(new FileInfo(fixture.Tree.Local(path)).Length, mine.GetProperty("size").GetInt64());
            foreach (string property in new[] { "format", "width", "height", "bands", "epsg", "geoTransform", "resolution", "error" })
                Assert.True(JsonElement.DeepEquals(reference.GetProperty(property), mine.GetProperty(property)),
                    $"{server} {path} {property}: {mine.GetProperty(property)} (file:// {reference.GetProperty(property)})");
        }
        // Georeferencing that sits only in the .aux.xml sidecar, read whole although the listing's size of it may be rounded.
        Assert.Equal(2154, remote["/j/nogeo_rgb_with_aux_xml.jp2"].GetProperty("epsg").GetInt32());
        Assert.Equal(6, remote["/j/nogeo_rgb_with_aux_xml.jp2"].GetProperty("geoTransform").GetArrayLength());
        Assert.Equal(["Red", "Green", "Blue", "NIR"], remote["/j/l93_rgbi_4band.jp2"].GetProperty("bandNames").EnumerateArray().Select(b => b.GetString()));
    }

    [Fact]
    public async Task A_raw_codestream_takes_the_world_file_gdal_reads_and_the_crs_of_its_prj()
    {
        var local = await fixture.LocalScan.Value;
        foreach (string path in new[] { "/k/trio.j2k", "/k/trio_j2w.j2k" })
        {
            var gdal = GdalInfo.Run(fixture.Tree.Local(path));
            var line = local[path];
            if (gdal.GeoTransform is null)
            {
                // GDAL 3.6 reads x.jkw, x.j2kw and x.wld for x.j2k, not x.j2w: neither does the scanner.
                Assert.Equal("/k/trio_j2w.j2k", path);
                Assert.Equal(JsonValueKind.Null, line.GetProperty("geoTransform").ValueKind);
                Assert.Equal(JsonValueKind.Null, line.GetProperty("resolution").ValueKind);
                continue;
            }
            var transform = line.GetProperty("geoTransform").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(6, transform.Length);
            for (int i = 0; i < 6; i++)
                Assert.Equal(gdal.GeoTransform[i], transform[i], 1e-9);
            Assert.Equal(gdal.GeoTransform[1], line.GetProperty("resolution").GetDouble(), 1e-9);
            Assert.Equal(gdal.Width, line.GetProperty("width").GetInt32());
            // gdalinfo names no CRS for a world file (GDAL does not read a .prj for JPEG 2000); the scanner takes the
            // .prj's, the CRS gdalinfo reports for the tile the codestream was made from.
            Assert.Equal(GdalInfo.Run(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif")).Epsg, line.GetProperty("epsg").GetInt32());
        }
    }

    private static string Pin()
    {
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Peers.CertificatePath));
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(cert.RawData)).TrimEnd('=');
    }
}

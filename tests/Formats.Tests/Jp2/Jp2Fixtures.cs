using System.Diagnostics;
using Pcrs.Grains.Formats.Jp2;
using Pcrs.Grains.Formats.WorldFile;
using Pcrs.TestSupport;

namespace Pcrs.Formats.Tests.Jp2;

/// <summary>JPEG 2000 files written by GDAL: the peers' fixtures plus variants generated here on first use.</summary>
public static class Jp2Fixtures
{
    private static readonly Lazy<string> VariantsDir = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static readonly string[] PeerFiles =
    [
        "l93_rgb_geojp2_gmljp2.jp2",
        "l93_rgb_geojp2_only.jp2",
        "l93_rgb_gmljp2_only.jp2",
        "l93_rgb_gmljp2v2.jp2",
        "l93_rgb_geoboxes_after_jp2c.jp2",
        "cc48_rgb_geojp2_gmljp2.jp2",
        "l93_rgbi_4band.jp2",
        "l93_rgb_lossless.jp2",
        "l93_rgb_raw.j2k",
        "nogeo_rgb_with_j2w.jp2",
        "nogeo_rgb_with_aux_xml.jp2",
        "corrupt_truncated_half.jp2",
    ];

    public static readonly string[] Variants =
    [
        "wgs84_gmljp2_only.jp2",
        "rgf93geo_gmljp2v2.jp2",
        "wgs84_geojp2_only.jp2",
        "rgaf09_gmljp2v2.jp2",
        "rgr92_default.jp2",
        "rgf93v2b_l93.jp2",
        "gray16_geojp2.jp2",
        "rgba.jp2",
        "raw_with_wld.j2k",
        "edited_after_jp2c.jp2",
        "tiled128_reversible.jp2",
    ];

    public static IEnumerable<TheoryDataRow<string>> All() => PeerFiles.Concat(Variants).Select(n => new TheoryDataRow<string>(n));

    public static string PathOf(string name)
    {
        if (PeerFiles.Contains(name) || !Variants.Contains(name))
        {
            string path = Path.Combine(Peers.FixturesDir, name);
            Assert.True(File.Exists(path), $"Peer fixture {path} is missing: run tests/peers/start.sh (it generates the fixtures).");
            return path;
        }

        return Path.Combine(VariantsDir.Value, name);
    }

    /// <summary>Reads a JP2 and its sidecars (the files of the same directory whose names start with the data file's stem).</summary>
    public static async Task<(Jp2Info Info, ResolvedGeoreference Georeference, long BytesRead)> ReadAsync(string path)
    {
        var file = new FileRangeReader(path);
        Jp2Info info = await Jp2Reader.ReadAsync(file, null, TestContext.Current.CancellationToken);
        string stem = Path.GetFileNameWithoutExtension(path);
        var sidecars = Directory.GetFiles(Path.GetDirectoryName(path)!, stem + ".*")
            .Where(p => p != path)
            .Select(p => (Pcrs.Grains.Formats.IRangeReader)new FileRangeReader(p))
            .ToList();
        ResolvedGeoreference resolved = await SidecarResolver.ResolveAsync(
            Path.GetFileName(path), info.GeoTransform, info.Epsg, info.GeoreferenceSource, sidecars, TestContext.Current.CancellationToken);
        return (info, resolved, file.BytesRead + resolved.BytesRead);
    }

    private static string Generate()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pcrs-formats-fixtures", "jp2");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Jp2", "make_jp2_variants.sh"));
        start.ArgumentList.Add(Peers.FixturesDir);
        start.ArgumentList.Add(dir);
        using Process process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"make_jp2_variants.sh failed: {stderr}");
        return dir;
    }
}

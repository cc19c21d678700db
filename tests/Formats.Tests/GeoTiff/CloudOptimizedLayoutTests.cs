using System.Diagnostics;
using Pcrs.Grains.Formats.GeoTiff;
using Pcrs.TestSupport;

namespace Pcrs.Formats.Tests.GeoTiff;

/// <summary>
/// Cloud-optimised GeoTIFF detection against GDAL: files made by gdal_translate (COG driver, plain tiled, stripped) and
/// gdaladdo (overviews appended after the image), each judged by GDAL's own validate_cloud_optimized_geotiff as the oracle.
/// </summary>
public sealed class CloudOptimizedLayoutTests : IDisposable
{
    private const string Validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py";
    private readonly string _dir = Directory.CreateTempSubdirectory("pcrs-cog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Source => Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif");

    private static int Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    private string Make(string name, params string[] translate)
    {
        var path = Path.Combine(_dir, name);
        Assert.Equal(0, Run("gdal_translate", [.. translate, Source, path]));
        return path;
    }

    public static TheoryData<string, bool> Cases => new()
    {
        { "cog", true },
        { "cog-small", true },
        { "cog-bigtiff", true },
        { "tiled", true },
        { "tiled-overviews-appended", false },
        { "strips", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Layout_is_judged_as_gdal_judges_it(string name, bool cloudOptimized)
    {
        string path = name switch
        {
            "cog" => Make("cog.tif", "-q", "-of", "COG", "-outsize", "2048", "2048", "-co", "BLOCKSIZE=256"),
            "cog-small" => Make("cog-small.tif", "-q", "-of", "COG", "-outsize", "300", "300"),
            "cog-bigtiff" => Make("cog-bigtiff.tif", "-q", "-of", "COG", "-outsize", "1500", "1500", "-co", "BIGTIFF=YES", "-co", "COMPRESS=DEFLATE"),
            "tiled" => Make("tiled.tif", "-q", "-of", "GTiff", "-outsize", "2048", "2048", "-co", "TILED=YES"),
            "strips" => Make("strips.tif", "-q", "-of", "GTiff", "-outsize", "2048", "2048", "-co", "TILED=NO"),
            _ => Make("appended.tif", "-q", "-of", "GTiff", "-outsize", "2048", "2048", "-co", "TILED=YES"),
        };
        if (name == "tiled-overviews-appended")
            Assert.Equal(0, Run("gdaladdo", "-q", path, "2", "4", "8"));
        // GDAL's validator exits 0 for a cloud-optimised GeoTIFF, 1 otherwise.
        Assert.Equal(cloudOptimized ? 0 : 1, Run("/usr/bin/python3", Validator, "-q", path));

        var info = await GeoTiffReader.ReadAsync(new FileRangeReader(path), null, TestContext.Current.CancellationToken);

        Assert.True(cloudOptimized == info.IsCloudOptimized, string.Join("; ", info.CloudOptimizedProblems ?? []));
        if (!cloudOptimized)
            Assert.NotEmpty(info.CloudOptimizedProblems!);
    }
}

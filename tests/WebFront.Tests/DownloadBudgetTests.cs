using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>The web front with the shipped download limits (120 downloads a minute per address), not the tests' "no limit".</summary>
public sealed class DefaultLimitsFixture : DownloadFixture
{
    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("WebFront:DownloadsPerMinute", new WebFrontOptions().DownloadsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("WebFront:DownloadLookupsPerMinute", new WebFrontOptions().DownloadLookupsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// GIS clients read tiles through the download route the way they read any URL: GDAL's /vsicurl/ sends a HEAD and
/// probes a dozen sidecars per file (404s the catalogue answers). Those cost the platform nothing of the storage and
/// must not use up the download budget.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class DownloadBudgetTests(DefaultLimitsFixture web, ITestOutputHelper output) : IClassFixture<DefaultLimitsFixture>
{
    private const string TilesPath = "/webfront-budget/dalles";
    private const int Tiles = 20;

    private static void PrepareTiles()
    {
        var folder = DownloadFiles.Local(TilesPath);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < Tiles; i++)
        {
            var target = Path.Combine(folder, $"dalle_{i:00}.tif");
            if (!File.Exists(target))
                File.Copy(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"), target);
        }
    }

    [Fact]
    public async Task Gdalinfo_reads_20_tiles_in_a_row_without_a_429_and_only_file_gets_use_the_download_budget()
    {
        PrepareTiles();
        var project = await web.CreateProjectAsync("Budget de téléchargement");
        var d = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(TilesPath));
        using var client = web.Client();
        var baseUrl = client.BaseAddress!.ToString().TrimEnd('/');
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < Tiles; i++)
        {
            // GDAL's defaults: no GDAL_DISABLE_READDIR_ON_OPEN, no CPL_VSIL_CURL_ALLOWED_EXTENSIONS, so it probes sidecars.
            var (code, stdout, stderr) = await RunAsync("gdalinfo", $"/vsicurl/{baseUrl}{d}/files{TilesPath}/dalle_{i:00}.tif");
            Assert.True(code == 0, $"tile {i}: exit {code}\n{stderr}");
            Assert.Contains("Driver: GTiff", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("429", stderr, StringComparison.Ordinal);
        }
        output.WriteLine($"gdalinfo on {Tiles} tiles through the download route in {watch.Elapsed.TotalSeconds:F1} s; load {File.ReadAllText("/proc/loadavg").Trim()}");

        // Past the download budget's worth of catalogue-answered 404s and HEADs, files are still served.
        for (int i = 0; i < new WebFrontOptions().DownloadsPerMinute + 10; i++)
        {
            var missing = await client.GetAsync($"{d}/files{TilesPath}/dalle_{i % Tiles:00}.tif.aux.xml");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using var head = new HttpRequestMessage(HttpMethod.Head, $"{d}/files{TilesPath}/dalle_{i % Tiles:00}.tif");
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(head)).StatusCode);
        }
        var file = await client.GetAsync($"{d}/files{TilesPath}/dalle_00.tif");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);

        // GETs of a file still count: ranged GETs go until refused, bounded well past the budget.
        int budget = new WebFrontOptions().DownloadsPerMinute;
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 3 * budget && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{d}/files{TilesPath}/dalle_{i % Tiles:00}.tif");
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 15);
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }
        output.WriteLine($"refused after {statuses.Count - 1} ranged GETs");
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        // At most the rest of this minute plus one fresh minute (a fixed window may roll over during the loop).
        Assert.InRange(statuses.Count - 1, 1, 2 * budget);
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.PartialContent, s));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string tool, string arguments)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Bulk download over FTP: the selection's size, the ZIP (tested by unzip and compared by SHA-256 with the storage's
/// files), a rectangle that keeps only some tiles, the URL list, and the same refusals as single downloads.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class BulkDownloadTests(DownloadFixture web) : IClassFixture<DownloadFixture>
{
    [Fact]
    public async Task Whole_deliverable_and_rectangle_archives_hold_the_storage_bytes()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Téléchargement en masse", deliverables: 2);
        var d = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.TilesPath));
        using var anonymous = web.Client();

        var size = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/selection"));
        Assert.Equal(DownloadFiles.TileNames.Length, size["tiles"]!.GetValue<long>());
        long expectedBytes = DownloadFiles.TileNames.Sum(n => new FileInfo(Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), n)).Length);
        Assert.Equal(expectedBytes, size["bytes"]!.GetValue<long>());

        var names = await ZipEntriesAsync(anonymous, $"{d}/archive.zip");
        Assert.Equal(DownloadFiles.TileNames.Order(), names.Order());

        // A rectangle around one tile's footprint keeps that tile (and whatever else its box meets), never all three
        // when the tiles lie apart; the fixtures share a footprint, so here the check is the box filter end to end.
        var tiles = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/tiles"));
        var first = tiles["features"]!.AsArray()[0]!;
        var ring = first["geometry"]!["coordinates"]![0]!.AsArray().Select(p => (X: p![0]!.GetValue<double>(), Y: p[1]!.GetValue<double>())).ToList();
        var bbox = string.Join(',', new[] { ring.Min(p => p.X), ring.Min(p => p.Y), ring.Max(p => p.X), ring.Max(p => p.Y) }
            .Select(v => v.ToString("0.0000000", System.Globalization.CultureInfo.InvariantCulture)));
        var inBox = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/selection?bbox={bbox}"));
        var boxNames = await ZipEntriesAsync(anonymous, $"{d}/archive.zip?bbox={bbox}");
        Assert.Equal(inBox["tiles"]!.GetValue<long>(), boxNames.Count);
        Assert.Contains(first["properties"]!["path"]!.GetValue<string>().Split('/')[^1], boxNames);
        var far = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/selection?bbox=-5,40,-4.9,40.1"));
        Assert.Equal(0, far["tiles"]!.GetValue<long>());

        var urls = (await anonymous.GetStringAsync($"{d}/urls.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(DownloadFiles.TileNames.Length, urls.Length);
        foreach (var url in urls)
        {
            var bytes = await anonymous.GetByteArrayAsync(new Uri(url).PathAndQuery);
            var name = Uri.UnescapeDataString(url.Split('/')[^1]);
            Assert.Equal(DownloadFiles.Sha256(Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), name)), Convert.ToHexString(SHA256.HashData(bytes)));
        }
    }

    [Fact]
    public async Task Bulk_routes_refuse_what_single_downloads_refuse()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Téléchargement refusé", deliverables: 2);
        var closed = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.TilesPath, downloadAllowed: false));
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{closed}/archive.zip")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{closed}/urls.txt")).StatusCode);
        // The size is public (the tiles are on the public page), with downloadAllowed false.
        var size = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{closed}/selection"));
        Assert.False(size["downloadAllowed"]!.GetValue<bool>());
        // A deliverable without storage, and a bad box.
        var none = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[1]}";
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{none}/archive.zip")).StatusCode);
        var bad = await anonymous.GetAsync($"{closed}/selection?bbox=1,2,3");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("bbox", await bad.Content.ReadAsStringAsync());
        // After revocation, nothing is served.
        using var editor = web.Client(project.EditorKey);
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{closed}/storage")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{closed}/selection")).StatusCode);
    }

    [Fact]
    public async Task An_interrupted_archive_download_resumes_with_curl_and_is_whole()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Téléchargement repris");
        var d = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.TilesPath));
        using var anonymous = web.Client();
        var url = $"{anonymous.BaseAddress!.ToString().TrimEnd('/')}{d}/archive.zip";
        var file = Path.Combine(Path.GetTempPath(), $"pcrs-resume-{Guid.NewGuid():N}.zip");
        try
        {
            // The first download is cut by the client after 60 % of the archive: the server sees the connection go.
            long total, kept;
            string etag;
            using (var response = await anonymous.GetAsync($"{d}/archive.zip", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
                etag = response.Headers.ETag!.Tag;
                total = response.Content.Headers.ContentLength!.Value;
                kept = total * 6 / 10;
                await using var body = await response.Content.ReadAsStreamAsync();
                await using var output = File.Create(file);
                var buffer = new byte[kept];
                await body.ReadExactlyAsync(buffer);
                await output.WriteAsync(buffer);
            }
            Assert.Equal(kept, new FileInfo(file).Length);

            // curl -C - asks for the rest (Range: bytes=kept-) and appends it.
            var written = await Tools.RunAsync("curl", "-sS", "-f", "-C", "-", "-o", file, "-w", "%{http_code} %{size_download}", url);
            Assert.Equal($"206 {total - kept}", written.Trim());
            Assert.Equal(total, new FileInfo(file).Length);
            await Tools.RunAsync("unzip", "-t", file);
            using (var archive = ZipFile.OpenRead(file))
            {
                Assert.Equal(DownloadFiles.TileNames.Order(), archive.Entries.Select(e => e.FullName).Order());
                foreach (var entry in archive.Entries)
                {
                    await using var stream = entry.Open();
                    Assert.Equal(DownloadFiles.Sha256(Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), entry.FullName)),
                        Convert.ToHexString(await SHA256.HashDataAsync(stream)));
                }
            }
            // The whole archive again is the same bytes; the same ETag; a foreign If-Range gets the whole; past the end 416.
            var again = await anonymous.GetAsync($"{d}/archive.zip");
            Assert.Equal(etag, again.Headers.ETag!.Tag);
            Assert.Equal(await File.ReadAllBytesAsync(file), await again.Content.ReadAsByteArrayAsync());
            using var stale = new HttpRequestMessage(HttpMethod.Get, $"{d}/archive.zip");
            stale.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(kept, null);
            stale.Headers.TryAddWithoutValidation("If-Range", "\"zip-autre\"");
            var whole = await anonymous.SendAsync(stale);
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(total, (await whole.Content.ReadAsByteArrayAsync()).Length);
            using var beyond = new HttpRequestMessage(HttpMethod.Get, $"{d}/archive.zip");
            beyond.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(total, null);
            var refused = await anonymous.SendAsync(beyond);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
            Assert.Equal($"bytes */{total}", refused.Content.Headers.GetValues("Content-Range").Single());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Downloads the archive to a file, runs unzip -t on it, compares every entry with the storage's file; returns the names.</summary>
    private static async Task<List<string>> ZipEntriesAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var file = Path.Combine(Path.GetTempPath(), $"pcrs-bulk-{Guid.NewGuid():N}.zip");
        try
        {
            await using (var output = File.Create(file))
                await (await response.Content.ReadAsStreamAsync()).CopyToAsync(output);
            var start = new ProcessStartInfo("unzip", ["-t", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using (var unzip = Process.Start(start)!)
            {
                var text = await unzip.StandardOutput.ReadToEndAsync() + await unzip.StandardError.ReadToEndAsync();
                await unzip.WaitForExitAsync();
                Assert.True(unzip.ExitCode == 0, text);
            }
            using var archive = ZipFile.OpenRead(file);
            var names = new List<string>();
            foreach (var entry in archive.Entries)
            {
                Assert.Equal(entry.Length, entry.CompressedLength);
                await using var stream = entry.Open();
                var hash = Convert.ToHexString(await SHA256.HashDataAsync(stream));
                Assert.Equal(DownloadFiles.Sha256(Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), entry.FullName)), hash);
                names.Add(entry.FullName);
            }
            return names;
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Downloads through the real web front from the real servers (vsftpd plain and explicit FTPS, OpenSSH SFTP in its
/// chroot): bytes identical to the files on disk, Range requests answered 206 with the exact bytes, refusals (416, 403,
/// 404 for unseen paths and path tricks), and a 200 MB file streamed without the platform holding it in memory.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class DownloadTests(DownloadFixture web, ITestOutputHelper output) : IClassFixture<DownloadFixture>
{
    [Fact]
    public async Task Ftp_download_is_byte_identical_and_honours_ranges_and_refusals()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Téléchargements FTP", deliverables: 4);
        var tiles = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.TilesPath));
        // Same storage, another folder: its files are in the catalogue, but not under the first deliverable's path.
        await web.DeclareAndScanAsync(project, 1, DownloadFixture.Ftp(DownloadFiles.BigPath));
        using var anonymous = web.Client();

        await AssertWholeFilesAsync(anonymous, tiles);
        await AssertRangesAsync(anonymous, tiles, DownloadFiles.TileNames[1]);

        // HEAD: the length without the body.
        var local = Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), DownloadFiles.TileNames[0]);
        using (var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{tiles}/files{DownloadFiles.TilesPath}/{DownloadFiles.TileNames[0]}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(new FileInfo(local).Length, head.Content.Headers.ContentLength);
        }

        // A file the last scan did not see is refused even though the server has it now.
        var late = Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), $"late-{Guid.NewGuid():N}.jp2");
        File.Copy(local, late);
        try
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{tiles}/files{DownloadFiles.TilesPath}/{Path.GetFileName(late)}")).StatusCode);
        }
        finally
        {
            File.Delete(late);
        }

        // Paths outside the deliverable's folder, however spelled, are refused: the file exists and was scanned for the
        // other deliverable, so only the path check can refuse it.
        var big = $"{DownloadFiles.BigPath}/{DownloadFiles.BigName}";
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{tiles}/files{big}")).StatusCode);
        foreach (var trick in new[]
                 {
                     $"{DownloadFiles.TilesPath}/../big/{DownloadFiles.BigName}",
                     $"{DownloadFiles.TilesPath}/%2E%2E/big/{DownloadFiles.BigName}",
                     $"{DownloadFiles.TilesPath}/..%2Fbig%2F{DownloadFiles.BigName}",
                     $"{DownloadFiles.TilesPath}/..%5Cbig%5C{DownloadFiles.BigName}",
                     "/../../../../etc/passwd",
                     "/%2E%2E/%2E%2E/etc/passwd",
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, await RawGetStatusAsync(anonymous.BaseAddress!, $"{tiles}/files{trick}"));
        }
        Assert.Equal(HttpStatusCode.OK, await RawGetStatusAsync(anonymous.BaseAddress!, $"{DeliverableBase(project, 1)}/files{big}"));

        // Not allowed by the owner: 403, whatever the path.
        var forbidden = await web.DeclareAndScanAsync(project, 2, DownloadFixture.Ftp(DownloadFiles.TilesPath, downloadAllowed: false));
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"{forbidden}/files{DownloadFiles.TilesPath}/{DownloadFiles.TileNames[0]}")).StatusCode);

        // A file the last scan saw but the server no longer has: 404, not a storage error. Its folder is then revoked
        // before it goes, or every later scan of this storage (all its folders at once) would fail to list it.
        var goneFolder = $"{DownloadFiles.Root}/gone-{Guid.NewGuid():N}";
        Directory.CreateDirectory(DownloadFiles.Local(goneFolder));
        try
        {
            var goneFile = Path.Combine(DownloadFiles.Local(goneFolder), DownloadFiles.TileNames[0]);
            File.Copy(local, goneFile);
            var gone = await web.DeclareAndScanAsync(project, 3, DownloadFixture.Ftp(goneFolder));
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"{gone}/files{goneFolder}/{DownloadFiles.TileNames[0]}")).StatusCode);
            File.Delete(goneFile);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{gone}/files{goneFolder}/{DownloadFiles.TileNames[0]}")).StatusCode);
        }
        finally
        {
            using (var editor = web.Client(project.EditorKey))
                await editor.DeleteAsync($"{DeliverableBase(project, 3)}/storage");
            Directory.Delete(DownloadFiles.Local(goneFolder), recursive: true);
        }
    }

    [Fact]
    public async Task Ftps_explicit_download_is_byte_identical_and_honours_ranges()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Téléchargements FTPS");
        var tiles = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.TilesPath, port: Peers.VsftpdFtpsReuse, tls: "explicit"));
        using var anonymous = web.Client();
        await AssertWholeFilesAsync(anonymous, tiles);
        await AssertRangesAsync(anonymous, tiles, DownloadFiles.TileNames[0]);
    }

    [Fact]
    public async Task Sftp_download_is_byte_identical_and_honours_ranges()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Téléchargements SFTP", deliverables: 2);
        var tiles = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Sftp(DownloadFiles.TilesPath));
        using var anonymous = web.Client();
        await AssertWholeFilesAsync(anonymous, tiles);
        await AssertRangesAsync(anonymous, tiles, DownloadFiles.TileNames[2]);

        // A range deep into the big file: the offset reaches the server (SFTP read at an offset), not a skip through it.
        var big = await web.DeclareAndScanAsync(project, 1, DownloadFixture.Sftp(DownloadFiles.BigPath));
        await AssertBigRangeAsync(anonymous, big, DownloadFiles.BigBlockOffsets[1] - 1000, 2 * 1024 * 1024);
    }

    [Fact]
    public async Task Large_ftp_download_is_streamed_and_never_held_whole_in_memory()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Gros fichier FTP");
        var big = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.BigPath));
        using var anonymous = web.Client();
        await AssertBigRangeAsync(anonymous, big, DownloadFiles.BigBlockOffsets[1] - 1000, 2 * 1024 * 1024);
        await AssertStreamedAsync(anonymous, big, "FTP");
    }

    [Fact]
    public async Task Large_sftp_download_is_streamed_and_never_held_whole_in_memory()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Gros fichier SFTP");
        var big = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Sftp(DownloadFiles.BigPath));
        using var anonymous = web.Client();
        await AssertStreamedAsync(anonymous, big, "SFTP");
    }

    /// <summary>
    /// Downloads the whole big file and checks its hash, while sampling this process's memory: the web front runs here, so
    /// holding the file would add 200 MiB; streaming through a small buffer adds only garbage the GC reclaims.
    /// </summary>
    private async Task AssertStreamedAsync(HttpClient client, string deliverable, string protocol)
    {
        string expected = DownloadFiles.Sha256(Path.Combine(DownloadFiles.Local(DownloadFiles.BigPath), DownloadFiles.BigName));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long heapBefore = GC.GetTotalMemory(false);
        long rssBefore = Environment.WorkingSet;
        long heapPeak = heapBefore, rssPeak = rssBefore;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(false));
                rssPeak = Math.Max(rssPeak, Environment.WorkingSet);
                await Task.Delay(10);
            }
        });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.GetAsync($"{deliverable}/files{DownloadFiles.BigPath}/{DownloadFiles.BigName}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DownloadFiles.BigSize, response.Content.Headers.ContentLength);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        TimeSpan firstBytes = TimeSpan.Zero;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                if (received == 0)
                    firstBytes = watch.Elapsed;
                hash.AppendData(buffer, 0, read);
                received += read;
            }
        }
        var total = watch.Elapsed;
        await stopSampling.CancelAsync();
        await sampler;

        Assert.Equal(DownloadFiles.BigSize, received);
        Assert.Equal(expected, Convert.ToHexString(hash.GetHashAndReset()));
        long heapGrowth = heapPeak - heapBefore, rssGrowth = rssPeak - rssBefore;
        output.WriteLine($"200 MiB over {protocol} in {total.TotalSeconds:F2} s ({DownloadFiles.BigSize / total.TotalSeconds / 1048576:F0} MiB/s), first bytes after {firstBytes.TotalMilliseconds:F0} ms; " +
                         $"managed heap +{heapGrowth / 1048576.0:F1} MiB (peak), resident +{rssGrowth / 1048576.0:F1} MiB (peak); load {File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.True(heapGrowth < 48L * 1024 * 1024, $"managed heap grew by {heapGrowth / 1048576.0:F1} MiB during a 200 MiB download over {protocol}");
        Assert.True(rssGrowth < 96L * 1024 * 1024, $"resident memory grew by {rssGrowth / 1048576.0:F1} MiB during a 200 MiB download over {protocol}");
    }

    private static string DeliverableBase(CreatedProject project, int deliverable) =>
        $"/api/projects/{project.Id}/deliverables/{project.Deliverables[deliverable]}";

    private static async Task AssertWholeFilesAsync(HttpClient client, string deliverable)
    {
        foreach (var name in DownloadFiles.TileNames)
        {
            var local = Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), name);
            using var response = await client.GetAsync($"{deliverable}/files{DownloadFiles.TilesPath}/{name}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new FileInfo(local).Length, response.Content.Headers.ContentLength);
            Assert.Equal("bytes", string.Join(",", response.Headers.AcceptRanges));
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(DownloadFiles.Sha256(local), Convert.ToHexString(SHA256.HashData(bytes)));
        }
    }

    private static async Task AssertRangesAsync(HttpClient client, string deliverable, string name)
    {
        var local = Path.Combine(DownloadFiles.Local(DownloadFiles.TilesPath), name);
        var file = await File.ReadAllBytesAsync(local);
        long total = file.Length;
        var url = $"{deliverable}/files{DownloadFiles.TilesPath}/{name}";
        foreach (var (header, start, end) in new (string, long, long)[]
                 {
                     ("bytes=100-999", 100, 999),
                     ("bytes=1000-", 1000, total - 1),
                     ("bytes=-500", total - 500, total - 1),
                     ($"bytes={total - 10}-{total + 5000}", total - 10, total - 1),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", header);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {start}-{end}/{total}", response.Content.Headers.ContentRange?.ToString());
            Assert.Equal(end - start + 1, response.Content.Headers.ContentLength);
            Assert.Equal(file.AsSpan((int)start, (int)(end - start + 1)).ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
        // If-Range: the Range holds under the file's own Last-Modified; under another date or an entity tag, the whole file.
        using (var plain = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead))
        {
            var lastModified = plain.Content.Headers.LastModified;
            Assert.NotNull(lastModified);
            foreach (var (ifRange, expected) in new[]
                     {
                         (lastModified.Value.ToString("r", System.Globalization.CultureInfo.InvariantCulture), HttpStatusCode.PartialContent),
                         ("Mon, 01 Jan 2001 00:00:00 GMT", HttpStatusCode.OK),
                         ("\"some-etag\"", HttpStatusCode.OK),
                     })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Range", "bytes=100-199");
                request.Headers.TryAddWithoutValidation("If-Range", ifRange);
                using var response = await client.SendAsync(request);
                Assert.Equal(expected, response.StatusCode);
                Assert.Equal(expected == HttpStatusCode.OK ? total : 100, (await response.Content.ReadAsByteArrayAsync()).Length);
            }
        }
        foreach (var header in new[] { $"bytes={total}-", $"bytes={total + 100}-{total + 200}", "bytes=-0" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", header);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
            Assert.Equal($"bytes */{total}", response.Content.Headers.ContentRange?.ToString());
        }
    }

    private static async Task AssertBigRangeAsync(HttpClient client, string deliverable, long start, int count)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{deliverable}/files{DownloadFiles.BigPath}/{DownloadFiles.BigName}");
        request.Headers.Range = new RangeHeaderValue(start, start + count - 1);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {start}-{start + count - 1}/{DownloadFiles.BigSize}", response.Content.Headers.ContentRange?.ToString());
        var received = await response.Content.ReadAsByteArrayAsync();
        Assert.True(DownloadFiles.BigBytes(start, count).AsSpan().SequenceEqual(received), "the range's bytes differ from the file's");
    }

    /// <summary>
    /// A GET sent as written, on a raw socket: HttpClient would resolve "..", and the point is what the platform does
    /// with whatever reaches it.
    /// </summary>
    private static async Task<HttpStatusCode> RawGetStatusAsync(Uri server, string pathAndQuery)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        var parts = statusLine.Split(' ');
        Assert.True(parts.Length >= 2 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out _), $"no status line for {pathAndQuery}: '{statusLine}'");
        return (HttpStatusCode)int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Net;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// A bulk ZIP in flight is cut like a single download: an archive of two 200 MiB tiles (FTP, streamed through the
/// platform) read slowly stops short of its Content-Length once the editor revokes the storage, or once the owner
/// withdraws downloads by declaring the storage again with downloadAllowed false; a new archive is then refused. Another
/// project's editor and anonymous callers can do neither.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class RevokedBulkDownloadTests(DownloadFixture web) : IClassFixture<DownloadFixture>
{
    [Fact]
    public async Task Revoking_the_storage_cuts_an_archive_in_flight()
    {
        var token = TestContext.Current.CancellationToken;
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Archive révoquée");
        var other = await web.CreateProjectAsync("Autre projet, archive");
        var deliverable = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.HeavyTilesPath));
        using var anonymous = web.Client();
        await using var archive = await SlowArchive.OpenAsync(anonymous, $"{deliverable}/archive.zip", token);

        using (var stranger = web.Client(other.EditorKey))
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.DeleteAsync($"{deliverable}/storage", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"{deliverable}/storage", token)).StatusCode);
        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{deliverable}/storage", token)).StatusCode);

        await archive.AssertCutAsync(token);
        using var again = await anonymous.GetAsync($"{deliverable}/archive.zip", HttpCompletionOption.ResponseHeadersRead, token);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Withdrawing_downloads_cuts_an_archive_in_flight()
    {
        var token = TestContext.Current.CancellationToken;
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Archive retirée");
        var other = await web.CreateProjectAsync("Autre projet, retrait");
        var deliverable = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.HeavyTilesPath));
        using var anonymous = web.Client();
        await using var archive = await SlowArchive.OpenAsync(anonymous, $"{deliverable}/archive.zip", token);

        JsonObject closed = DownloadFixture.Ftp(DownloadFiles.HeavyTilesPath, downloadAllowed: false);
        using (var stranger = web.Client(other.EditorKey))
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PutAsync($"{deliverable}/storage", Json(closed), token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync($"{deliverable}/storage", Json(closed), token)).StatusCode);
        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsync($"{deliverable}/storage", Json(closed), token)).StatusCode);

        await archive.AssertCutAsync(token);
        Assert.Equal("succeeded", await web.WaitForScanAsync(deliverable));
        using var again = await anonymous.GetAsync($"{deliverable}/archive.zip", HttpCompletionOption.ResponseHeadersRead, token);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>An archive download that has received its first 4 MiB and is then read slowly (about 1 MiB/s).</summary>
    private sealed class SlowArchive(HttpResponseMessage response, Stream body, long length) : IAsyncDisposable
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private long _received;

        public static async Task<SlowArchive> OpenAsync(HttpClient client, string url, CancellationToken token)
        {
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            long length = response.Content.Headers.ContentLength ?? 0;
            Assert.True(length > 2 * DownloadFiles.HeavyTileSize, $"Content-Length {length}");
            var archive = new SlowArchive(response, await response.Content.ReadAsStreamAsync(token), length);
            await archive.ReadFirstAsync(4 * 1024 * 1024, token);
            return archive;
        }

        private async Task ReadFirstAsync(long bytes, CancellationToken token)
        {
            while (_received < bytes)
            {
                int read = await body.ReadAsync(_buffer, token);
                Assert.True(read > 0, "the archive ended before the permission was withdrawn");
                _received += read;
            }
        }

        /// <summary>Reads on slowly (the whole archive would take minutes) until the platform cuts it, within 90 s.</summary>
        public async Task AssertCutAsync(CancellationToken token)
        {
            bool cut = false;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(_buffer, token);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    cut = true;
                    break;
                }
                if (read == 0)
                {
                    cut = true;
                    break;
                }
                _received += read;
                await Task.Delay(50, token);
            }
            Assert.True(cut, $"the archive went on after the permission ended ({_received} bytes received)");
            Assert.True(_received < length, $"{_received} of {length} bytes: the whole archive was sent");
        }

        public async ValueTask DisposeAsync()
        {
            await body.DisposeAsync();
            response.Dispose();
        }
    }
}

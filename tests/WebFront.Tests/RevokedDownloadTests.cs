using System.Net;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Revocation cuts the downloads in flight: a 200 MiB FTP file streamed through the platform to a slow reader stops short
/// of its length once the editor revokes the storage, and a new download of it is refused. Another project's editor and
/// anonymous callers cannot revoke.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class RevokedDownloadTests(DownloadFixture web) : IClassFixture<DownloadFixture>
{
    [Fact]
    public async Task Revoking_the_storage_cuts_a_slow_download_in_flight()
    {
        var token = TestContext.Current.CancellationToken;
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Révocation en cours");
        var other = await web.CreateProjectAsync("Autre projet");
        var deliverable = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.BigPath));
        string file = $"{deliverable}/files{DownloadFiles.BigPath}/{DownloadFiles.BigName}";
        using var anonymous = web.Client();
        using var response = await anonymous.GetAsync(file, HttpCompletionOption.ResponseHeadersRead, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(token);
        var buffer = new byte[64 * 1024];
        long received = 0;
        while (received < 4 * 1024 * 1024)
        {
            int read = await body.ReadAsync(buffer, token);
            Assert.True(read > 0, "the download ended before the revocation");
            received += read;
        }

        // Who may revoke: not anonymous, not another project's editor; the project's editor may.
        using (var stranger = web.Client(other.EditorKey))
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.DeleteAsync($"{deliverable}/storage", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"{deliverable}/storage", token)).StatusCode);
        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{deliverable}/storage", token)).StatusCode);

        // Read on slowly (about 1 MiB/s: the whole file would take minutes): the platform cuts the stream.
        bool cut = false;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            int read;
            try
            {
                read = await body.ReadAsync(buffer, token);
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
            received += read;
            await Task.Delay(50, token);
        }
        Assert.True(cut, $"the download went on after the revocation ({received} bytes received)");
        Assert.True(received < DownloadFiles.BigSize, $"{received} bytes: the whole file was sent");

        using var again = await anonymous.GetAsync(file, HttpCompletionOption.ResponseHeadersRead, token);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }
}

using Pcrs.WebFront.Apis;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// A download built in a temporary file first (SQLite needs a file; a ZIP's central directory comes last) and then
/// streamed with its exact length, so that the process holds a fixed buffer, not the file, whatever the tile count.
/// The file is deleted once sent, or when building or sending fails.
/// </summary>
public static class TemporaryFileResponse
{
    public static StreamedResult Create(string contentType, string fileName, Func<string, CancellationToken, Task> build) =>
        new(async (http, ct) =>
        {
            var file = Path.Combine(Path.GetTempPath(), $"pcrs-{Guid.NewGuid():N}{Path.GetExtension(fileName)}");
            try
            {
                await build(file, ct);
                http.Response.ContentType = contentType;
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
                await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
                http.Response.ContentLength = source.Length;
                await source.CopyToAsync(http.Response.Body, ct);
            }
            finally
            {
                File.Delete(file);
            }
        });
}

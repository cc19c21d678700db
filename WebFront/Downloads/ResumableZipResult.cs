using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pcrs.WebFront.Downloads;

/// <summary>One file of an archive: its path in the storage, its name in the archive, and the catalogue's size and date.</summary>
public sealed record ZipTile(string Path, string EntryName, long Size, DateTimeOffset? Modified);

/// <summary>
/// A ZIP of tiles whose layout is fixed by the catalogue (names, sizes, dates), so the archive has a length known before
/// its first byte and can be resumed: <c>Range: bytes=N-</c> (what <c>curl -C -</c> and <c>wget -c</c> send) answers 206
/// with the archive from byte N, the same bytes a whole download has there. The strong ETag names the layout; an
/// <c>If-Range</c> with another one gets the whole archive. A file whose size no longer matches the catalogue stops the
/// archive (a rescan fixes the layout), never a complete-looking archive with other bytes.
/// </summary>
public sealed class ResumableZipResult(
    string fileName, string storageKey, IReadOnlyList<ZipTile> tiles, ZipCrcCache crcs,
    Func<string, long, CancellationToken, Task<Stream>> open, ILogger logger) : IResult
{
    /// <summary>The strong entity tag of this layout: the same selection of the same scan gives the same archive.</summary>
    public static string EntityTag(string storageKey, IReadOnlyList<ZipTile> tiles)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(storageKey + "\n"));
        foreach (var t in tiles)
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{t.EntryName}\n{t.Path}\n{t.Size}\n{t.Modified?.UtcTicks}\n")));
        return "\"zip-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..32] + "\"";
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        long total = await ZipStreamWriter.MeasureAsync(tiles.Select(t => (t.EntryName, t.Modified, t.Size)), cancellationToken);
        var etag = EntityTag(storageKey, tiles);
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = etag;
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        var ifRange = request.Headers.IfRange.ToString();
        ByteRange? range = null;
        if (string.IsNullOrEmpty(ifRange) || string.Equals(ifRange, etag, StringComparison.Ordinal))
        {
            range = ByteRange.Parse(request.Headers.Range, total, out bool unsatisfiable);
            if (unsatisfiable)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{total}");
                return;
            }
        }
        response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
        response.ContentType = "application/zip";
        response.ContentLength = range?.Length ?? total;
        if (range is { } r)
            response.Headers.ContentRange = r.ContentRange(total);
        httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        var zip = range is { } w ? new ZipStreamWriter(response.Body, w.Start, w.End + 1) : new ZipStreamWriter(response.Body);
        try
        {
            foreach (var tile in tiles)
            {
                if (zip.WindowDone)
                    return;
                var known = crcs.Find(storageKey, tile.Path, tile.Size, tile.Modified);
                var crc = await zip.AddSizedEntryAsync(tile.EntryName, tile.Modified, tile.Size, known,
                    (offset, ct) => open(tile.Path, offset, ct), cancellationToken);
                if (known is null)
                    crcs.Remember(storageKey, tile.Path, tile.Size, tile.Modified, crc);
            }
            await zip.FinishAsync(cancellationToken);
        }
        catch (DownloadWithdrawnException)
        {
            logger.LogWarning("Archive {File} of {Storage} cut at byte {Offset}: its storage was revoked or its downloads withdrawn",
                fileName, storageKey, zip.BytesWritten);
            httpContext.Abort();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Grains.Storage.StorageException or TimeoutException
            && !cancellationToken.IsCancellationRequested)
        {
            // The status line is sent: cutting the response short of its Content-Length is the honest signal left.
            logger.LogWarning("Archive {File} of {Storage} stopped at byte {Offset}: {Reason}", fileName, storageKey, zip.BytesWritten, e.Message);
            httpContext.Abort();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The downloader went away (an interrupted download, to be resumed with a Range).
        }
    }
}

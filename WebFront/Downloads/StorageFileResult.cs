using System.Buffers;
using System.Globalization;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// Streams a file (or one range of it) from an FTP or SFTP storage to the caller through a bounded buffer: the file is
/// never held whole in memory. Owns the already opened <paramref name="source"/> (null for HEAD or an empty body) and
/// disposes it, which gives its connection back to the storage's pool. While it streams, <paramref name="permission"/> is
/// asked again (<see cref="DownloadPermission.CheckInterval"/>): a storage revoked (or its downloads withdrawn) in any
/// process of the cluster cuts the downloads in flight within seconds, short of their Content-Length.
/// </summary>
public sealed class StorageFileResult(Stream? source, string path, long totalLength, ByteRange? range, DateTimeOffset? lastModified, ILogger logger,
    DownloadPermission? permission = null) : IResult
{
    private const int BufferSize = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var owned = source is not null && permission is not null ? permission.Guard(source) : source;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        long length = range?.Length ?? totalLength;
        response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        response.Headers.AcceptRanges = "bytes";
        if (range is { } r)
            response.Headers.ContentRange = r.ContentRange(totalLength);
        if (lastModified is { } modified)
            response.Headers.LastModified = modified.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
        var fileName = StoragePaths.FileName(path);
        response.Headers.ContentDisposition = $"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
        if (owned is null || length == 0)
            return;

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                int read = await owned.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                    throw new IOException(string.Create(CultureInfo.InvariantCulture,
                        $"The storage ended the file {remaining} bytes early (it changed since the last scan)."));
                await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }
        }
        catch (DownloadWithdrawnException)
        {
            logger.LogWarning("Download of {Path} cut: its storage was revoked or its downloads withdrawn", path);
            httpContext.Abort();
        }
        catch (Exception e) when (e is IOException or StorageException && !cancellationToken.IsCancellationRequested)
        {
            // The status line is sent: the only honest signal left is to cut the response short of its Content-Length.
            logger.LogWarning("Download of {Path} stopped: {Reason}", path, e.Message);
            httpContext.Abort();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The downloader went away; disposing the source aborts the transfer and frees the connection.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

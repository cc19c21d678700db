using System.Buffers;
using System.Globalization;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// Streams a file (or one range of it) from an FTP or SFTP storage to the caller through a bounded buffer: the file is
/// never held whole in memory. Owns the client and disposes it, which releases the connection.
/// </summary>
public sealed class StorageFileResult(IStorageClient client, string path, long totalLength, ByteRange? range) : IResult
{
    private const int BufferSize = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var owned = client;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        long start = range?.Start ?? 0;
        long length = range?.Length ?? totalLength;
        response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        response.Headers.AcceptRanges = "bytes";
        if (range is { } r)
            response.Headers.ContentRange = r.ContentRange(totalLength);
        var fileName = StoragePaths.FileName(path);
        response.Headers.ContentDisposition = $"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
        if (HttpMethods.IsHead(httpContext.Request.Method) || length == 0)
            return;

        await using var source = await client.OpenReadAsync(path, start, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                int read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                    throw new IOException(string.Create(CultureInfo.InvariantCulture,
                        $"The storage ended the file {remaining} bytes early (it changed since the last scan)."));
                await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Downloads;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Bulk download of a deliverable's tiles, whole or within a WGS84 rectangle: the selection's size first, then one ZIP
/// stream (stored entries, Zip64 when needed) or a URL list for <c>wget -i</c>. The same permission as a single file
/// (the owner allowed downloads) and the same connections (the storage's cluster-wide limit).
/// </summary>
public static class BulkDownloadsApi
{
    /// <summary>Tiles in one archive at most: a selection past it is refused (ask for a smaller rectangle).</summary>
    public const int MaxTilesPerArchive = 200_000;

    public sealed record SelectionSize(long Tiles, long Bytes, bool DownloadAllowed, int MaxTiles);

    public static IEndpointRouteBuilder MapBulkDownloadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/projects/{id:guid}/deliverables/{did:guid}").WithTags("Downloads");
        api.MapGet("/selection", GetSelection)
            .WithName("GetSelectionSize")
            .WithSummary("Tile count and total size of the deliverable's tiles, whole or within ?bbox=west,south,east,north")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        api.MapGet("/archive.zip", GetArchive)
            .WithName("DownloadArchive")
            .WithSummary("The selected tiles as one ZIP stream (stored entries, no recompression, Zip64 past 4 GiB)")
            .WithDescription("403 when the owner did not allow downloads; 400 past 200,000 tiles. Entries are named by their path under the deliverable's folder. " +
                "Resumable: Content-Length and a strong ETag are sent, and Range: bytes=N- (curl -C -, wget -c) answers 206 with the same bytes from N; If-Range with another ETag gets the whole archive.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip");
        api.MapGet("/urls.txt", GetUrlList)
            .WithName("DownloadUrlList")
            .WithSummary("The selected tiles' download URLs, one a line, for wget -i or curl")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain");
        return app;
    }

    private sealed record Selection(DeclarationRow Storage, List<TileRow> Tiles);

    /// <summary>The deliverable's declared storage and its tiles in the box; an IResult when the request cannot go on.</summary>
    private static async Task<(Selection? Selection, IResult? Problem)> SelectAsync(
        Guid id, Guid did, string? bbox, bool needDownload, ProjectStore store, ICatalogueReader catalogue, ITileMetadataReader tileReader,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var box = TilesApi.ParseBbox(bbox, errors);
        if (!errors.IsEmpty)
            return (null, TypedResults.ValidationProblem(errors.ToDictionary()));
        // Only a proven declaration's tiles: a refused or unproven one shares nothing.
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { IsProven: true } storage)
            return (null, TypedResults.NotFound());
        if (needDownload && !storage.DownloadAllowed)
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Download not allowed",
                detail: "The owner of this storage did not allow downloads through the platform."));
        var tiles = new List<TileRow>();
        await foreach (var tile in tileReader.ListAsync(storage.StorageKey, storage.StartPath, new TileQuery(box), cancellationToken))
        {
            tiles.Add(tile);
            if (needDownload && tiles.Count > MaxTilesPerArchive)
                return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
                    { ["bbox"] = [$"More than {MaxTilesPerArchive} tiles: select a smaller rectangle."] }));
        }
        return (new Selection(storage, tiles), null);
    }

    public static async Task<IResult> GetSelection(
        Guid id, Guid did, string? bbox, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] ITileMetadataReader tileReader, CancellationToken cancellationToken)
    {
        var (selection, problem) = await SelectAsync(id, did, bbox, needDownload: false, store, catalogue, tileReader, cancellationToken);
        if (selection is null)
            return problem!;
        return TypedResults.Ok(new SelectionSize(selection.Tiles.Count, selection.Tiles.Sum(t => t.Size ?? 0), selection.Storage.DownloadAllowed, MaxTilesPerArchive));
    }

    public static async Task<IResult> GetUrlList(
        Guid id, Guid did, string? bbox, HttpContext http, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] ITileMetadataReader tileReader,
        [FromServices] DownloadBudget budget, CancellationToken cancellationToken)
    {
        // One download permit per list or archive (the files of an archive are read by the platform in one request).
        if (!budget.TryDownload(http))
            return TooManyRequests();
        var (selection, problem) = await SelectAsync(id, did, bbox, needDownload: true, store, catalogue, tileReader, cancellationToken);
        if (selection is null)
            return problem!;
        var prefix = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/api/projects/{id}/deliverables/{did}/files";
        var text = new StringBuilder();
        foreach (var tile in selection.Tiles)
            text.Append(prefix).Append(TilesApi.EscapePath(tile.Path)).Append('\n');
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"dalles-{did}.txt\"";
        return TypedResults.Text(text.ToString(), "text/plain; charset=utf-8");
    }

    public static async Task<IResult> GetArchive(
        Guid id, Guid did, string? bbox, HttpContext http, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, [FromServices] ITileMetadataReader tileReader,
        [FromServices] StorageReads reads, [FromServices] IOptions<DownloadOptions> options, [FromServices] DownloadBudget budget,
        [FromServices] ZipCrcCache crcs, [FromServices] ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!budget.TryDownload(http))
            return TooManyRequests();
        var (selection, problem) = await SelectAsync(id, did, bbox, needDownload: true, store, catalogue, tileReader, cancellationToken);
        if (selection is null)
            return problem!;
        var storage = selection.Storage;
        var logger = loggers.CreateLogger(typeof(BulkDownloadsApi));
        IStorageClient client;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            wait.CancelAfter(options.Value.ConnectionWait);
            try
            {
                client = await reads.ClientAsync(storage.StorageKey, wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage busy",
                    detail: "Every connection this platform may open to the storage is in use; try again later.");
            }
        }
        // Revocation, another storage or withdrawn downloads cut the archive in flight, like a single file's download.
        var permission = DownloadPermission.ForDeclaration(catalogue, did, storage.StorageKey);
        string root = storage.StartPath.TrimEnd('/');
        string EntryName(string path) => path.Length > root.Length ? path[(root.Length + 1)..] : path;
        if (selection.Tiles.All(t => t.Size is not null))
        {
            // Sizes known: a fixed layout, a Content-Length, and resumable with a Range (curl -C -, wget -c).
            var zipTiles = selection.Tiles.Select(t => new ZipTile(t.Path, EntryName(t.Path), t.Size!.Value, t.ModifiedAt)).ToList();
            return new ResumableZipResult($"dalles-{did}.zip", storage.StorageKey, zipTiles, crcs, async (path, offset, ct) =>
            {
                // Each file waits for a connection like a single download does; past the wait the archive stops.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(options.Value.ConnectionWait);
                await permission.ThrowIfWithdrawnAsync(wait.Token);
                return permission.Guard(await client.OpenReadAsync(path, offset, wait.Token));
            }, logger);
        }
        return new ZipArchiveResult($"dalles-{did}.zip", storage.StorageKey, logger, async (zip, ct) =>
        {
            foreach (var tile in selection.Tiles)
            {
                // Each file waits for a connection like a single download does; past the wait the archive stops (the
                // client sees a broken download, never a file cut short inside a complete-looking archive).
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(options.Value.ConnectionWait);
                await permission.ThrowIfWithdrawnAsync(wait.Token);
                var stat = await client.StatAsync(tile.Path, wait.Token);
                if (stat is not { Kind: StorageEntryKind.File })
                {
                    logger.LogWarning("Archive of {Storage}: {Path} is gone since the scan; left out", storage.StorageKey, tile.Path);
                    continue;
                }
                await using var source = permission.Guard(await client.OpenReadAsync(tile.Path, 0, wait.Token));
                await zip.AddEntryAsync(EntryName(tile.Path), stat.LastModified, source, stat.Size ?? tile.Size, ct);
            }
        });
    }

    private static IResult TooManyRequests() =>
        TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: "Slow down: this address sent too many download requests this minute.");

    /// <summary>Streams a ZIP written by <see cref="ZipStreamWriter"/> straight to the response (no buffering of the archive).</summary>
    private sealed class ZipArchiveResult(string fileName, string storageKey, ILogger logger, Func<ZipStreamWriter, CancellationToken, Task> writeEntries) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = "application/zip";
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
            var zip = new ZipStreamWriter(httpContext.Response.Body);
            try
            {
                await writeEntries(zip, httpContext.RequestAborted);
                await zip.FinishAsync(httpContext.RequestAborted);
            }
            catch (DownloadWithdrawnException)
            {
                // Without a central directory the archive opens nowhere: the client sees a broken download.
                logger.LogWarning("Archive {File} of {Storage} cut at byte {Offset}: its storage was revoked or its downloads withdrawn",
                    fileName, storageKey, zip.BytesWritten);
                httpContext.Abort();
            }
        }
    }
}

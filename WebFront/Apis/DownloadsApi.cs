using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Projects;
using Microsoft.AspNetCore.Http.HttpResults;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Downloads;
using Pcrs.WebFront.Projects;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// Downloads of a deliverable's files, when its owner allowed them: HTTP storages are redirected to the source file,
/// FTP and SFTP files are streamed through the platform (Range requests answered 206).
/// </summary>
public static class DownloadsApi
{
    public static IEndpointRouteBuilder MapDownloadsApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("api/projects/{id:guid}/deliverables/{did:guid}/files/{**path}", [HttpMethods.Get, HttpMethods.Head], DownloadFile)
            .WithTags("Downloads")
            .WithName("DownloadFile")
            .WithSummary("Download a file the last scan saw")
            .WithDescription("403 when the owner did not allow downloads; 404 for a path the last scan did not see; 503 with Retry-After when no connection to the storage frees up in time; 429 with Retry-After past the per-minute budgets (HEADs and 404s count as lookups, only GETs of a file as downloads). HTTP storages answer with a redirect to the source file.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream");
        return app;
    }

    public static async Task<Results<StorageFileResult, RedirectHttpResult, NotFound, ProblemHttpResult>> DownloadFile(
        Guid id, Guid did, string? path, HttpContext http, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue,
        [FromServices] StorageReads reads, [FromServices] IOptions<DownloadOptions> options, [FromServices] DownloadBudget budget,
        [FromServices] ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // Charged by cost (see DownloadBudget): a lookup first, a download only for a GET of a file the scan saw.
        if (!budget.TryLookup(http))
            return TooManyRequests();
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { } storage)
            return TypedResults.NotFound();
        if (!storage.DownloadAllowed)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Download not allowed",
                detail: "The owner of this storage did not allow downloads through the platform.");
        // Only a proven declaration downloads: a deliverable whose own login was refused (or is not proven yet) shares nothing.
        if (!storage.IsProven)
            return TypedResults.NotFound();
        if (string.IsNullOrEmpty(path) || path.Any(c => c < 0x20 || c == 0x7F))
            return TypedResults.NotFound();
        var filePath = StorageLocation.NormalizePath("/" + path);
        if (!CataloguePaths.IsUnder(filePath, storage.StartPath))
            return TypedResults.NotFound();
        var seen = await catalogue.FindFileAsync(storage.StorageKey, filePath, cancellationToken);
        if (seen is null)
            return TypedResults.NotFound();
        if (!HttpMethods.IsHead(http.Request.Method) && !budget.TryDownload(http))
            return TooManyRequests();

        if (DeclaredStorages.Kind(storage) == "http")
            return TypedResults.Redirect(ProjectViews.HttpUrl(DeclaredStorages.Location(storage), filePath));

        var logger = loggers.CreateLogger(typeof(DownloadsApi));
        // Every step that needs a connection (stat, open) shares one bounded wait: the storage's connections may all be
        // busy with scans or other downloads anywhere in the cluster, and a downloader is better told to come back.
        using var connectionWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectionWait.CancelAfter(options.Value.ConnectionWait);
        Stream? source = null;
        try
        {
            var client = await reads.ClientAsync(storage.StorageKey, connectionWait.Token);
            var stat = await client.StatAsync(filePath, connectionWait.Token);
            // The size the server tells now wins: the file may have changed since the scan.
            if (stat is not { Kind: StorageEntryKind.File } || (stat.Size ?? seen.Size) is not { } total)
                return TypedResults.NotFound();
            var modified = stat.LastModified ?? seen.LastModified;
            // A resumed download must not splice two versions of a file: a Range under a stale If-Range gets the whole file.
            var rangeHeader = ByteRange.IfRangeHolds(http.Request.Headers.IfRange, modified) ? http.Request.Headers.Range.ToString() : null;
            var range = ByteRange.Parse(rangeHeader, total, out bool unsatisfiable);
            if (unsatisfiable)
            {
                http.Response.Headers.ContentRange = $"bytes */{total}";
                return TypedResults.Problem(statusCode: StatusCodes.Status416RangeNotSatisfiable, title: "Range not satisfiable");
            }
            long length = range?.Length ?? total;
            if (!HttpMethods.IsHead(http.Request.Method) && length > 0)
                source = await client.OpenReadAsync(filePath, range?.Start ?? 0, connectionWait.Token);
            var result = new StorageFileResult(source, filePath, total, range, modified, logger,
                DownloadPermission.ForDeclaration(catalogue, did, storage.StorageKey));
            source = null; // the result owns it now
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogNoConnection(logger, filePath, storage.StorageKey, options.Value.ConnectionWait);
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage busy",
                detail: "Every connection this platform may open to the storage is in use; try again later.");
        }
        catch (StorageException e)
        {
            logger.LogWarning("Download of {Path} from {Storage} failed: {Reason}", filePath, storage.StorageKey, e.Message);
            return e.Kind == StorageErrorKind.NotFound
                ? TypedResults.NotFound()
                : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Storage unavailable", detail: e.Message);
        }
        finally
        {
            if (source is not null)
                await source.DisposeAsync();
        }
    }

    private static ProblemHttpResult TooManyRequests() =>
        TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: "Slow down: this address sent too many download requests this minute.");

    private static void LogNoConnection(ILogger logger, string path, string storage, TimeSpan wait) =>
        logger.LogWarning("Download of {Path} refused: no connection to {Storage} within {Wait}", path, storage, wait);
}

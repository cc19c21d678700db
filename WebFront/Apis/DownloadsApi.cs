using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Downloads;
using Pcrs.WebFront.Projects;

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
            .WithDescription("403 when the owner did not allow downloads; 404 for a path the last scan did not see. HTTP storages answer with a redirect to the source file.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream")
            .RequireRateLimiting(WebFrontPolicies.DownloadRateLimit);
        return app;
    }

    public static async Task<Results<StorageFileResult, RedirectHttpResult, NotFound, ProblemHttpResult>> DownloadFile(
        Guid id, Guid did, string? path, HttpContext http, [FromServices] ProjectStore store, [FromServices] ITileCatalogue catalogue,
        [FromServices] IStorageClientFactory clients, [FromServices] LocalConnectionLimiters limiters, [FromServices] IPasswordProtector protector,
        [FromServices] ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var deliverable = await store.GetDeliverableAsync(id, did, cancellationToken);
        if (deliverable?.Storage is not { } storage)
            return TypedResults.NotFound();
        if (!storage.DownloadAllowed)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Download not allowed",
                detail: "The owner of this storage did not allow downloads through the platform.");
        if (string.IsNullOrEmpty(path) || path.Any(c => c < 0x20 || c == 0x7F))
            return TypedResults.NotFound();
        var filePath = StorageLocation.NormalizePath("/" + path);
        if (!IsUnder(filePath, storage.StartPath))
            return TypedResults.NotFound();
        var seen = await catalogue.FindFileAsync(storage.StorageIdentity, filePath, cancellationToken);
        if (seen is null)
            return TypedResults.NotFound();

        var location = StorageLocation.Parse(storage.Location, out _);
        if (storage.Kind == "http")
            return TypedResults.Redirect(ProjectViews.HttpUrl(location, filePath));

        var credentials = new StorageCredentials(storage.UserName,
            storage.ProtectedPassword is { } secret ? protector.Unprotect(secret) : null);
        var client = clients.Create(location, credentials, limiters.For(storage.StorageIdentity), StorageTrust.Default);
        try
        {
            var stat = await client.StatAsync(filePath, cancellationToken);
            long? total = stat?.Size ?? seen.Size;
            if (stat is null || total is null)
            {
                await client.DisposeAsync();
                return TypedResults.NotFound();
            }
            var range = ByteRange.Parse(http.Request.Headers.Range, total.Value, out bool unsatisfiable);
            if (unsatisfiable)
            {
                await client.DisposeAsync();
                http.Response.Headers.ContentRange = $"bytes */{total.Value}";
                return TypedResults.Problem(statusCode: StatusCodes.Status416RangeNotSatisfiable, title: "Range not satisfiable");
            }
            return new StorageFileResult(client, filePath, total.Value, range);
        }
        catch (StorageException e)
        {
            await client.DisposeAsync();
            loggers.CreateLogger(typeof(DownloadsApi)).LogWarning("Download of {Path} from {Storage} failed: {Reason}", filePath, storage.StorageIdentity, e.Message);
            return e.Kind == StorageErrorKind.NotFound
                ? TypedResults.NotFound()
                : TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Storage unavailable", detail: e.Message);
        }
    }

    private static bool IsUnder(string path, string startPath) =>
        startPath == "/" || path == startPath || path.StartsWith(startPath + "/", StringComparison.Ordinal);
}

using Microsoft.AspNetCore.Mvc;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Problems;
using Pcrs.WebFront.Scanning;
using Pcrs.WebFront.Validation;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Apis;

/// <summary>Tile footprints of a deliverable as GeoJSON in WGS84, for maps.</summary>
public static class TilesApi
{
    public static IEndpointRouteBuilder MapTilesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/projects/{id:guid}/deliverables/{did:guid}/tiles", GetTiles)
            .WithTags("Tiles")
            .WithName("GetTiles")
            .WithSummary("Tiles of the deliverable as a GeoJSON FeatureCollection (WGS84)")
            .WithDescription("?bbox=west,south,east,north keeps the tiles whose footprint meets the box. Properties: path, size, format, width, height, bands, epsg, resolution, downloadUrl (null when download is not allowed).")
            .Produces(StatusCodes.Status200OK, contentType: GeoJsonResult.ContentType)
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit)
            .CacheOutput(WebFrontPolicies.ScanDataCache);
        app.MapGet("api/projects/{id:guid}/deliverables/{did:guid}/errors", GetFileErrors)
            .WithTags("Tiles")
            .WithName("GetFileErrors")
            .WithSummary("Files of the deliverable the last scan could not read and folders it could not list, with the reason, ordered by path")
            .WithDescription("?limit=1…1000 (default 200), for files and folders each. `truncated` is true when more files are in error than listed (the scan summary's `errors` has the total); " +
                "`directories` are the folders whose listing failed (the server's error, a crawl bound or a loop), `directoriesTruncated` the same flag for them. " +
                "Public for a proven declaration (404 otherwise, and after revocation); passwords are masked, and the storage's address is replaced by \"the storage\" unless its connection is public.")
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        return app;
    }

    public sealed record FileError(string Path, long? Size, string Error, CodedError? ErrorCode = null);

    public sealed record DirectoryError(string Path, string Error, CodedError? ErrorCode = null);

    private static FileError FileErrorOf(string path, long? size, string error) => new(path, size, error, ErrorSentences.Identify(error));

    private static DirectoryError DirectoryErrorOf(string path, string error) => new(path, error, ErrorSentences.Identify(error));

    public sealed record FileErrors(IReadOnlyList<FileError> Files, bool Truncated, IReadOnlyList<DirectoryError> Directories, bool DirectoriesTruncated);

    public static async Task<Results<Ok<FileErrors>, NotFound, ValidationProblem>> GetFileErrors(
        Guid id, Guid did, int? limit, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["limit"] = ["Between 1 and 1000."] });
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { IsProven: true } storage)
            return TypedResults.NotFound();
        int max = limit ?? 200;
        var files = new List<FileError>();
        await foreach (var error in catalogue.ListFileErrorsAsync(storage.StorageKey, storage.StartPath, max + 1, cancellationToken))
            files.Add(FileErrorOf(error.Path, error.Size, PublicErrorText.For(error.Error, storage)));
        var directories = new List<DirectoryError>();
        await foreach (var error in catalogue.ListDirectoryErrorsAsync(storage.StorageKey, storage.StartPath, max + 1, cancellationToken))
            directories.Add(DirectoryErrorOf(error.Path, PublicErrorText.For(error.Error, storage)));
        bool truncated = files.Count > max, directoriesTruncated = directories.Count > max;
        return TypedResults.Ok(new FileErrors(truncated ? files[..max] : files, truncated,
            directoriesTruncated ? directories[..max] : directories, directoriesTruncated));
    }

    public static async Task<Results<GeoJsonResult, NotFound, ValidationProblem>> GetTiles(
        Guid id, Guid did, string? bbox, HttpContext http, [FromServices] ProjectStore store, [FromServices] ICatalogueReader catalogue,
        [FromServices] ITileMetadataReader tiles, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var box = ParseBbox(bbox, errors);
        if (!errors.IsEmpty)
            return TypedResults.ValidationProblem(errors.ToDictionary());
        // Tiles of the deliverable's own start path, and only while its own login is proven.
        if (await store.GetDeliverableAsync(id, did, cancellationToken) is null
            || await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is not { IsProven: true } storage)
            return TypedResults.NotFound();
        string? downloadBase = storage.DownloadAllowed
            ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/api/projects/{id}/deliverables/{did}/files"
            : null;
        return new GeoJsonResult(async (writer, ct) =>
        {
            int written = 0;
            await foreach (var tile in tiles.ListAsync(storage.StorageKey, storage.StartPath, new TileQuery(box), ct))
            {
                WriteTileFeature(writer, tile, downloadBase is null ? null : downloadBase + EscapePath(tile.Path));
                if (++written % GeoJsonResult.FlushEvery == 0)
                    await writer.FlushAsync(ct);
            }
        });
    }

    public static void WriteTileFeature(Utf8JsonWriter writer, TileRow tile, string? downloadUrl) =>
        TileFeatureWriter.Write(writer, id: null, tile.FootprintGeoJson,
        [
            new("path", tile.Path),
            new("size", tile.Size),
            new("format", tile.Format),
            new("width", tile.Width),
            new("height", tile.Height),
            new("bands", tile.BandNames),
            new("epsg", tile.Epsg),
            new("resolution", tile.Resolution),
            new("downloadUrl", downloadUrl),
        ]);

    /// <summary>"/a b/c.jp2" → "/a%20b/c.jp2": each segment escaped, slashes kept.</summary>
    public static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>Parses west,south,east,north in WGS84 degrees; names "bbox" in every error.</summary>
    public static GeoBox? ParseBbox(string? bbox, ValidationErrors errors)
    {
        if (bbox is null)
            return null;
        var parts = bbox.Split(',');
        var values = new double[4];
        if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok)
            || values.Any(v => !double.IsFinite(v)))
        {
            errors.Add("bbox", "Expected four numbers: west,south,east,north (WGS84 degrees).");
            return null;
        }
        var box = new GeoBox(values[0], values[1], values[2], values[3]);
        if (box.West is < -180 or > 180 || box.East is < -180 or > 180)
            errors.Add("bbox", "Longitudes are between -180 and 180.");
        else if (box.South is < -90 or > 90 || box.North is < -90 or > 90)
            errors.Add("bbox", "Latitudes are between -90 and 90.");
        else if (box.West > box.East || box.South > box.North)
            errors.Add("bbox", "West must not exceed east, nor south exceed north.");
        return errors.IsEmpty ? box : null;
    }
}

using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Metadata;

namespace Pcrs.WebFront.Feeds;

/// <summary>Routes of the change feed: the whole platform, and one project (404 for a deleted or unknown project).</summary>
public static class FeedsApi
{
    public static IEndpointRouteBuilder MapFeedsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/feeds/changes.atom", (HttpContext http, MetadataCache cache, CancellationToken ct) => FeedAsync(http, null, cache, ct))
            .WithTags("Feeds").WithName("ChangesFeed").WithSummary("Atom feed of deliverable changes (scans, failures, revocations)")
            .Produces(StatusCodes.Status200OK, contentType: ChangeFeed.ContentType)
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit).AddEndpointFilter<ExportValidatorsFilter>();
        app.MapGet("api/projects/{id:guid}/changes.atom", async (Guid id, HttpContext http, MetadataCache cache, Grains.Projects.ProjectStore store, CancellationToken ct) =>
                await store.GetAsync(id, ct) is null ? Results.NotFound() : await FeedAsync(http, id, cache, ct))
            .WithTags("Feeds").WithName("ProjectChangesFeed").WithSummary("Atom feed of one project's deliverable changes")
            .Produces(StatusCodes.Status200OK, contentType: ChangeFeed.ContentType)
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit).AddEndpointFilter<ExportValidatorsFilter>();
        return app;
    }

    private static async Task<IResult> FeedAsync(HttpContext http, Guid? projectId, MetadataCache cache, CancellationToken ct)
    {
        var feed = await cache.GetAsync(http, "atom", () => ChangeFeed.BuildAsync(http, projectId, CancellationToken.None), ct);
        return Results.Text(feed, ChangeFeed.ContentType + "; charset=utf-8");
    }
}

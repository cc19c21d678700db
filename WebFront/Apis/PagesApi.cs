using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Pcrs.WebFront.Apis;

/// <summary>What the static pages need besides the API: the configured basemap, and the project page route.</summary>
public static class PagesApi
{
    public sealed record PagesConfig(string? BasemapUrl, string? BasemapAttribution);

    public static IEndpointRouteBuilder MapPagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/pages/config", GetConfig).WithTags("Pages").WithName("GetPagesConfig").ExcludeFromDescription();
        // /projects/{id} serves the project page; the page reads the id from its URL and calls the API.
        app.MapGet("projects/{id:guid}", (IWebHostEnvironment env) =>
            TypedResults.PhysicalFile(Path.Combine(env.WebRootPath, "project.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }

    public static Ok<PagesConfig> GetConfig(IOptions<WebFrontOptions> options) =>
        TypedResults.Ok(new PagesConfig(
            string.IsNullOrWhiteSpace(options.Value.BasemapUrl) ? null : options.Value.BasemapUrl,
            options.Value.BasemapAttribution));
}

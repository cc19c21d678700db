using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Formats.Crs;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Pages;

namespace Pcrs.WebFront.Apis;

/// <summary>
/// The pages (the design system's layout around each page's content; data comes from the API) and what they need
/// besides the API: background layers and the projections a PCRS accepts. Unknown pages and unknown projects get the
/// 404 page with status 404.
/// </summary>
public static class PagesApi
{
    public sealed record BaseLayer(string Name, string Url, string? Attribution, int MaxZoom);

    public sealed record PagesConfig(string? BasemapUrl, string? BasemapAttribution, IReadOnlyList<BaseLayer> BaseLayers, IReadOnlyList<int> PcrsEpsg);

    /// <summary>Path → page name of the pages without parameters.</summary>
    private static readonly Dictionary<string, string> StaticPages = new(StringComparer.Ordinal)
    {
        ["/"] = "carte",
        ["/suivi"] = "suivi",
        ["/suivi/nouveau"] = "suivi",
        ["/admin"] = "admin",
        ["/donnees"] = "donnees",
        ["/accessibilite"] = "accessibilite",
        ["/mentions-legales"] = "mentions-legales",
        ["/donnees-personnelles"] = "donnees-personnelles",
        ["/plan-du-site"] = "plan-du-site",
    };

    public static IEndpointRouteBuilder MapPagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/pages/config", GetConfig).WithTags("Pages").WithName("GetPagesConfig").ExcludeFromDescription();
        foreach (var (path, page) in StaticPages)
            app.MapGet(path, (PageRenderer pages) => Page(pages, page)).ExcludeFromDescription();
        app.MapGet("projects/{id:guid}", ProjectPage).ExcludeFromDescription();
        app.MapGet("projects/{id:guid}/suivi", ProjectPage).ExcludeFromDescription();
        // Anything else that is not an API route or a file: the 404 page (API routes keep their ProblemDetails 404).
        app.MapFallback("{*path:nonfile}", (HttpContext http, PageRenderer pages) =>
            http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? Results.NotFound() : Page(pages, "404", StatusCodes.Status404NotFound))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ProjectPage(Guid id, HttpContext http, [FromServices] ProjectStore store, [FromServices] PageRenderer pages, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
            return Page(pages, "404", StatusCodes.Status404NotFound);
        return Page(pages, http.Request.Path.Value!.EndsWith("/suivi", StringComparison.Ordinal) ? "suivi" : "projet");
    }

    private static IResult Page(PageRenderer pages, string name, int status = StatusCodes.Status200OK) =>
        Results.Content(pages.Render(name), "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static Ok<PagesConfig> GetConfig(IOptions<WebFrontOptions> options)
    {
        var o = options.Value;
        var layers = o.BaseLayers.Select(l => new BaseLayer(l.Name, l.Url, l.Attribution, l.MaxZoom)).ToList();
        if (!string.IsNullOrWhiteSpace(o.BasemapUrl))
            layers.Insert(0, new BaseLayer("Fond de carte", o.BasemapUrl, o.BasemapAttribution, 19));
        return TypedResults.Ok(new PagesConfig(
            string.IsNullOrWhiteSpace(o.BasemapUrl) ? null : o.BasemapUrl, o.BasemapAttribution, layers,
            CrsRegistry.All.Where(d => d.AcceptedForPcrs).Select(d => d.Epsg).ToList()));
    }
}

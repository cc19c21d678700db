using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Ogc;

/// <summary>
/// An OGC API resource in the encoding the client asked for: JSON (GeoJSON for features) by default, HTML with
/// <c>?f=html</c> or when a browser prefers text/html. The HTML page lists the resource's links and shows its JSON, so
/// that every resource has an HTML encoding (conformance class "html") without a second model.
/// </summary>
public sealed class OgcResult(JsonNode body, string mediaType, string title) : IResult
{
    public const string Json = "application/json";
    public const string GeoJson = "application/geo+json";
    public const string Html = "text/html";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static bool WantsHtml(HttpRequest request)
    {
        var f = request.Query["f"].ToString();
        if (f.Length > 0)
            return f == "html";
        var accept = request.Headers.Accept.ToString();
        return accept.Contains(Html, StringComparison.Ordinal) && !accept.Contains("json", StringComparison.Ordinal);
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (WantsHtml(httpContext.Request))
        {
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(RenderHtml(), httpContext.RequestAborted);
            return;
        }
        response.ContentType = mediaType;
        await using var writer = new Utf8JsonWriter(response.Body);
        body.WriteTo(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    private string RenderHtml()
    {
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>");
        html.Append(WebUtility.HtmlEncode(title)).Append("</title></head><body><h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>");
        if (body["description"]?.GetValue<string>() is { } description)
            html.Append("<p>").Append(WebUtility.HtmlEncode(description)).Append("</p>");
        if (body["links"] is JsonArray links)
        {
            html.Append("<ul>");
            foreach (var link in links.OfType<JsonObject>())
            {
                var href = link["href"]?.GetValue<string>() ?? "";
                var label = link["title"]?.GetValue<string>() ?? link["rel"]?.GetValue<string>() ?? href;
                html.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(href)).Append("\">").Append(WebUtility.HtmlEncode(label))
                    .Append("</a> (").Append(WebUtility.HtmlEncode(link["rel"]?.GetValue<string>() ?? "")).Append(", ")
                    .Append(WebUtility.HtmlEncode(link["type"]?.GetValue<string>() ?? "")).Append(")</li>");
            }
            html.Append("</ul>");
        }
        html.Append("<pre>").Append(WebUtility.HtmlEncode(body.ToJsonString(Indented))).Append("</pre></body></html>");
        return html.ToString();
    }

    public static JsonObject Link(string href, string rel, string type, string? title = null)
    {
        var link = new JsonObject { ["href"] = href, ["rel"] = rel, ["type"] = type };
        if (title is not null)
            link["title"] = title;
        return link;
    }
}

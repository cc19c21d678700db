using System.Security.Cryptography;
using System.Text;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// The version of everything the exports are computed from: the project tables (creates, updates, deletes,
/// declarations, revocations), where every storage's scans stand, and today's date (a project's current status is the
/// last step started by today). Two cheap one-row queries; equal versions mean byte-identical exports, so the version
/// is the exports' ETag and the key of their cache: they are recomputed when a scan ends or a project changes, not per
/// request.
/// </summary>
public sealed class ExportVersions(ProjectStore projects, ITileMetadataReader catalogue)
{
    public async Task<ExportVersion> GetAsync(CancellationToken cancellationToken)
    {
        var p = await projects.GetVersionAsync(cancellationToken);
        var c = await catalogue.GetVersionAsync(cancellationToken);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var key = FormattableString.Invariant(
            $"{p.Projects}|{p.Deleted}|{p.LastChange?.UtcTicks}|{c.Declarations}|{c.LastDeclaration?.UtcTicks}|{c.Storages}|{c.ScanNumbers}|{c.Running}|{c.LastChange?.UtcTicks}|{today:O}");
        DateTimeOffset lastModified = new[] { p.LastChange, c.LastDeclaration, c.LastChange }.Max() ?? DateTimeOffset.UnixEpoch;
        return new ExportVersion(key, lastModified);
    }
}

/// <summary>A version of the exports' sources and the latest change among them.</summary>
public sealed record ExportVersion(string Key, DateTimeOffset LastModified)
{
    /// <summary>Strong ETag of one export: the version, the route and its query (variants differ in bytes).</summary>
    public string ETagFor(HttpRequest request)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Key + "\n" + request.Path + request.QueryString));
        return "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 12)) + "\"";
    }
}

/// <summary>
/// ETag and Last-Modified on every export, and 304 Not Modified when the client already holds this version
/// (If-None-Match first, If-Modified-Since otherwise, as RFC 9110 orders them). Clients revalidate each time
/// (Cache-Control: no-cache): a revocation must show at once.
/// </summary>
public sealed class ExportValidatorsFilter(ExportVersions versions) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var version = await versions.GetAsync(http.RequestAborted);
        var etag = version.ETagFor(http.Request);
        var lastModified = version.LastModified.ToUniversalTime();
        lastModified = new DateTimeOffset(lastModified.Ticks - lastModified.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.LastModified = lastModified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        headers.CacheControl = "public, no-cache";
        http.Items[typeof(ExportVersion)] = etag;
        var request = http.Request.GetTypedHeaders();
        bool notModified = request.IfNoneMatch.Count > 0
            ? request.IfNoneMatch.Any(tag => tag.Tag == "*" || tag.Tag.Equals(etag, StringComparison.Ordinal))
            : request.IfModifiedSince is { } since && lastModified <= since;
        if (notModified)
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return await next(context);
    }
}

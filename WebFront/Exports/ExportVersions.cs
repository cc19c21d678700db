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
public sealed class ExportVersions(ProjectStore projects, ITileMetadataReader catalogue, ICatalogueReader scans)
{
    /// <summary>
    /// The version of one deliverable's metadata: its project (actors, names, steps), its storage declaration
    /// (location, permissions) and where that storage's scans stand, so that a scan elsewhere does not invalidate it.
    /// While a scan is writing this storage's tiles every request gets its own version (nothing reused). Null when the
    /// deliverable has no proven storage declaration (the route answers 404).
    /// </summary>
    public async Task<ExportVersion?> GetForDeliverableAsync(Guid projectId, Guid deliverableId, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(projectId, cancellationToken);
        if (project?.Deliverables.Any(d => d.Id == deliverableId) != true
            || await scans.GetDeclarationAsync(deliverableId.ToString(), cancellationToken) is not { IsProven: true } storage)
            return null;
        var stamp = await scans.GetScanStampAsync(storage.StorageKey, cancellationToken);
        var running = stamp is { Settled: false } ? Guid.NewGuid().ToString("N") : "";
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // The declaration's revision and proof time change with every declaration and every proof of it.
        var key = FormattableString.Invariant(
            $"{project.UpdatedAt.UtcTicks}|{storage.Revision}|{storage.VerifiedAt?.UtcTicks}|{storage.StorageKey}|{storage.StartPath}|{storage.DownloadAllowed}|{storage.PublicConnection}|{stamp?.ScanNumber}|{stamp?.Status}|{stamp?.LastSuccessAt?.UtcTicks}|{running}|{today:O}");
        DateTimeOffset lastModified = new[] { project.UpdatedAt, storage.VerifiedAt, stamp?.LastSuccessAt }.Max() ?? project.UpdatedAt;
        return new ExportVersion(key, lastModified);
    }

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
        // The host is part of it: documents carry absolute links to this platform as the client reached it.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Key + "\n" + request.Scheme + "://" + request.Host + request.PathBase + request.Path + request.QueryString));
        return "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 12)) + "\"";
    }
}

/// <summary>
/// ETag and Last-Modified on every export, and 304 Not Modified when the client already holds this version
/// (If-None-Match first, If-Modified-Since otherwise, as RFC 9110 orders them). Clients revalidate each time
/// (Cache-Control: no-cache): a revocation must show at once. Routes of one deliverable use its own version.
/// </summary>
public sealed class ExportValidatorsFilter(ExportVersions versions) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        ExportVersion? version;
        if (Guid.TryParse(http.Request.RouteValues["id"]?.ToString(), out var projectId) && Guid.TryParse(http.Request.RouteValues["did"]?.ToString(), out var deliverableId))
        {
            // One deliverable's metadata: its own version; none (and no validators) when it has no declared storage.
            version = await versions.GetForDeliverableAsync(projectId, deliverableId, http.RequestAborted);
            if (version is null)
                return await next(context);
        }
        else
        {
            version = await versions.GetAsync(http.RequestAborted);
        }
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

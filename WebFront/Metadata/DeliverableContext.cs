using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Exports;
using Pcrs.WebFront.Projects;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// A deliverable whose storage declaration is proven (a revoked storage has no declaration, a refused or unproven one
/// shows nothing: its metadata is not served), with
/// what every metadata product needs: the project, the scan's aggregate, and where a tile can be fetched (the platform's
/// download route when its owner allowed downloads; the storage's own URL when the owner made an HTTP storage public;
/// otherwise nowhere).
/// </summary>
public sealed record DeliverableContext(
    Guid ProjectId,
    ProjectDocument Project,
    StoredDeliverable Deliverable,
    DeclarationRow Storage,
    CatalogueAggregate? Aggregate,
    string? DownloadBase,
    string? PublicBase)
{
    /// <summary>What the RasterPCRS fields of its tiles need: project, producer, licence (computed once, read per tile).</summary>
    public RasterPcrsSubject Subject { get; } = RasterPcrsSubject.Of(ProjectId, Project, Deliverable.Document);

    public string? Producer => Subject.Producer;

    /// <summary>Where a tile can be fetched, or null when the owner allowed neither downloads nor public access.</summary>
    public string? TileUrl(string path) =>
        DownloadBase is not null ? DownloadBase + TilesApi.EscapePath(path)
        : PublicBase is not null ? PublicBase + TilesApi.EscapePath(path)
        : null;

    /// <summary>The deliverable's CRS: the one its tiles share, null when they do not share one.</summary>
    public int? Epsg => Aggregate?.Epsg;

    public TileQuery AllTiles => new();

    /// <summary>The acquisition day the owner declared, as the instant STAC dates its items with (midnight UTC); null when not declared.</summary>
    public DateTimeOffset? AcquiredAt => Deliverable.Document.AcquisitionDate is { } day
        ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : null;

    /// <summary>
    /// A STAC datetime filter on this deliverable's tiles: on the declared acquisition day when there is one (every tile
    /// or none matches), else on each file's last change. Null when no tile can match.
    /// </summary>
    public TileQuery? AcquiredWithin(TileQuery query, DateTimeOffset? from, DateTimeOffset? to)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (AcquiredAt is not { } acquired)
            return query with { ModifiedFrom = from, ModifiedTo = to };
        // The declared day is a whole day: it matches an interval that meets it.
        var dayEnd = acquired.AddDays(1).AddTicks(-1);
        return (from is null || dayEnd >= from) && (to is null || acquired <= to) ? query : null;
    }

    /// <summary>The deliverable of a project with a proven storage declaration, or null (404) for any other case.</summary>
    public static async Task<DeliverableContext?> FindAsync(HttpContext http, Guid projectId, Guid deliverableId, CancellationToken cancellationToken)
    {
        var services = http.RequestServices;
        var store = services.GetRequiredService<ProjectStore>();
        var project = await store.GetAsync(projectId, cancellationToken);
        var deliverable = project?.Deliverables.FirstOrDefault(d => d.Id == deliverableId);
        if (project is null || deliverable is null
            || await services.GetRequiredService<DeclaredDeliverables>().GetProvenAsync(deliverableId, cancellationToken) is not { } storage)
            return null;
        return await CreateAsync(http, projectId, project.Document, deliverable, storage, cancellationToken);
    }

    public static async Task<DeliverableContext> CreateAsync(
        HttpContext http, Guid projectId, ProjectDocument project, StoredDeliverable deliverable, DeclarationRow storage, CancellationToken cancellationToken)
    {
        var summaries = http.RequestServices.GetRequiredService<ScanDataSummaries>();
        var aggregate = await summaries.SummarizeAsync(storage.StorageKey, storage.StartPath, cancellationToken);
        string? downloadBase = storage.DownloadAllowed
            ? $"{PlatformBase(http.Request)}/api/projects/{projectId}/deliverables/{deliverable.Id}/files"
            : null;
        string? publicBase = storage.PublicConnection && DeclaredStorages.Kind(storage) == "http"
            ? ProjectViews.HttpUrl(DeclaredStorages.Location(storage) with { Path = "/" }, "/").TrimEnd('/')
            : null;
        return new DeliverableContext(projectId, project, deliverable, storage, aggregate, downloadBase, publicBase);
    }

    /// <summary>"http://host:port/base" of this platform as the client reached it.</summary>
    public static string PlatformBase(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}

using System.ComponentModel.DataAnnotations;

namespace Pcrs.WebFront;

/// <summary>The "WebFront" configuration section.</summary>
public sealed class WebFrontOptions
{
    public const string SectionName = "WebFront";

    /// <summary>Requests per minute per client address on public reads (0 disables the limit, e.g. for load tests).</summary>
    [Range(0, 1_000_000)]
    public int PublicRequestsPerMinute { get; set; } = 600;

    /// <summary>Download requests per minute per client address.</summary>
    [Range(0, 1_000_000)]
    public int DownloadsPerMinute { get; set; } = 120;

    /// <summary>
    /// Requests per minute per client address on the download route that move no file bytes: HEADs and paths the
    /// catalogue answers 404 (GIS clients probe sidecars of every file). They do not count against <see cref="DownloadsPerMinute"/>.
    /// </summary>
    [Range(0, 1_000_000)]
    public int DownloadLookupsPerMinute { get; set; } = 6000;

    /// <summary>How long tiles and exports stay in the output cache (writes evict them at once); zero: no output cache.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ScanDataCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Background map tiles for the pages, as a Leaflet URL template (e.g. "https://tile.example.org/{z}/{x}/{y}.png").
    /// Empty: no basemap, the footprints are drawn on a plain background (the default; this machine has no internet).
    /// </summary>
    [MaxLength(500)]
    public string? BasemapUrl { get; set; }

    /// <summary>Attribution shown with the basemap.</summary>
    [MaxLength(500)]
    public string? BasemapAttribution { get; set; }

    /// <summary>
    /// Background layers the pages offer (a switch on every map), besides <see cref="BasemapUrl"/>. Production settings
    /// (appsettings.Production.json) list IGN Géoplateforme's WMTS "Plan IGN" and "Ortho"; none in development and tests.
    /// The pages stay usable when none is reachable: footprints and lists do not depend on them.
    /// </summary>
    public List<BaseLayerOptions> BaseLayers { get; set; } = [];
}

/// <summary>One background layer: a Leaflet URL template ({z}/{x}/{y}, WMTS KVP with TILEMATRIX={z}&amp;TILEROW={y}&amp;TILECOL={x} works).</summary>
public sealed class BaseLayerOptions
{
    [Required, MaxLength(100)]
    public string Name { get; set; } = "";

    [Required, MaxLength(1000)]
    public string Url { get; set; } = "";

    [MaxLength(500)]
    public string? Attribution { get; set; }

    [Range(1, 22)]
    public int MaxZoom { get; set; } = 19;
}

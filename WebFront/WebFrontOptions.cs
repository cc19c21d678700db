using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace Pcrs.WebFront;

/// <summary>The "WebFront" configuration section.</summary>
public sealed class WebFrontOptions : IValidatableObject
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
    /// How often the web front checks whether a scan has ended, to compute the deliverables' extents before a page asks
    /// (<see cref="Catalogue.ExtentWarmer"/>); zero: computed on the first request only.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ExtentsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

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

    /// <summary>
    /// Reverse proxies in front of the web front, by address ("10.0.0.5") or network ("10.0.0.0/24"): only a request
    /// arriving from one of them has its X-Forwarded-For and X-Forwarded-Proto believed, so rate limits, the throttle of
    /// unknown tokens and the logs see the real client. Empty (the default): the headers are ignored, and the client is
    /// the connection's address (a client cannot pick its own address by sending the header).
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies)
        {
            if (!TrustedProxy.TryParse(proxy, out _))
                yield return new ValidationResult($"'{proxy}' is neither an IP address nor a network (address/prefix).", [nameof(TrustedProxies)]);
        }
    }
}

/// <summary>One entry of <see cref="WebFrontOptions.TrustedProxies"/>: an address, or a network in CIDR notation.</summary>
public static class TrustedProxy
{
    public static bool TryParse(string text, out IPNetwork network)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return IPNetwork.TryParse(text, out network);
    }
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

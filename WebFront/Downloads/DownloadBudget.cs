using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// Rate limits of the download route by what a request costs, per client address. A request the catalogue answers
/// alone (a 404 for a path the last scan did not see: GDAL probes a dozen sidecars per file) or that moves no bytes of
/// a file (HEAD) takes a lookup permit (<see cref="WebFrontOptions.DownloadLookupsPerMinute"/>); only a GET that the
/// platform serves or redirects to the file takes a download permit (<see cref="WebFrontOptions.DownloadsPerMinute"/>).
/// So `gdalinfo /vsicurl/` on a tile costs one or two downloads, not the ~46 requests it sends.
/// </summary>
public sealed class DownloadBudget : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _lookups;
    private readonly PartitionedRateLimiter<HttpContext> _downloads;

    public DownloadBudget(IOptions<WebFrontOptions> options)
    {
        _lookups = PartitionedRateLimiter.Create<HttpContext, string>(context => WebFrontExtensions.PerClient(context, options.Value.DownloadLookupsPerMinute));
        _downloads = PartitionedRateLimiter.Create<HttpContext, string>(context => WebFrontExtensions.PerClient(context, options.Value.DownloadsPerMinute));
    }

    /// <summary>Takes a lookup permit; false (and a Retry-After header) when this address used up its minute.</summary>
    public bool TryLookup(HttpContext context) => TryTake(_lookups, context);

    /// <summary>Takes a download permit; false (and a Retry-After header) when this address used up its minute.</summary>
    public bool TryDownload(HttpContext context) => TryTake(_downloads, context);

    private static bool TryTake(PartitionedRateLimiter<HttpContext> limiter, HttpContext context)
    {
        using var lease = limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
            return true;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return false;
    }

    public void Dispose()
    {
        _lookups.Dispose();
        _downloads.Dispose();
    }
}

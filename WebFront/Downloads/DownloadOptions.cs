using System.ComponentModel.DataAnnotations;

namespace Pcrs.WebFront.Downloads;

/// <summary>The "Downloads" configuration section: how long a download may wait for a connection to its storage.</summary>
public sealed class DownloadOptions
{
    public const string SectionName = "Downloads";

    /// <summary>
    /// Longest wait for one of the storage's connections (scans and downloads share Scanning:MaxConnectionsPerStorage across
    /// the cluster). Past it the download is refused with 503 and Retry-After rather than left hanging.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectionWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Seconds a refused downloader is told to wait before trying again (Retry-After).</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 30;
}

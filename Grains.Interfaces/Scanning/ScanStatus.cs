namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>Life cycle of a storage's scan, as the web API shows it ("queued", "listing", …).</summary>
[GenerateSerializer, Alias("pcrs.ScanStatus")]
public enum ScanStatus
{
    /// <summary>Declared, waiting for its first scan or for a requested one to start.</summary>
    Queued = 0,
    /// <summary>Directories are being listed (nothing analysed yet).</summary>
    Listing = 1,
    /// <summary>File headers are being read.</summary>
    Analysing = 2,
    /// <summary>The last scan completed; its summary is current.</summary>
    Succeeded = 3,
    /// <summary>The last scan failed; the last successful summary, if any, is kept.</summary>
    Failed = 4,
    /// <summary>
    /// The last scan completed but the server failed for part of it (files or folders unreadable for a transient reason),
    /// or a crawl bound or a loop ended some folders: what was read is current, the rest is read again at the next scan;
    /// the error says how much could not be read and why.
    /// </summary>
    Partial = 5,
    /// <summary>A deliverable's declaration is being proven (a login with its own credentials); nothing is shown until it is.</summary>
    Verifying = 6,
}

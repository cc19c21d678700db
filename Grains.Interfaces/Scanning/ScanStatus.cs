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
    /// <summary>A deliverable's declaration is being proven (a login with its own credentials); nothing is shown until it is.</summary>
    Verifying = 5,
}

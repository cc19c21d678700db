namespace Pcrs.WebFront;

/// <summary>Names of the rate-limiting and output-cache policies of the public routes.</summary>
public static class WebFrontPolicies
{
    /// <summary>Fixed window per client address on public reads.</summary>
    public const string PublicRateLimit = "public";

    /// <summary>Output cache of responses that only change with a scan or a write (tiles, exports).</summary>
    public const string ScanDataCache = "scan-data";

    /// <summary>Tag evicted on every write to projects or storages, so revocations show at once.</summary>
    public const string ProjectsTag = "projects";
}

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Trust granted for this process only, on top of what the catalogue pins per storage: the scan verb's
/// <c>--insecure</c> and <c>--trust SHA256:…</c>. The service registers none (empty).
/// </summary>
public sealed record ScanTrustOverrides(bool AcceptUnknown, IReadOnlyList<string> PinnedFingerprints)
{
    public static ScanTrustOverrides None { get; } = new(false, []);
}

using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// The storage's scan status as the catalogue stores it (pcrs_storages.status: queued, listing, analysing, succeeded,
/// failed, partial). The one place where the text meets the <see cref="ScanStatus"/> enum: every reader and writer of that column goes through here.
/// </summary>
public static class ScanStatusText
{
    public static string ToText(ScanStatus status) => status switch
    {
        ScanStatus.Listing => "listing",
        ScanStatus.Analysing => "analysing",
        ScanStatus.Succeeded => "succeeded",
        ScanStatus.Failed => "failed",
        ScanStatus.Partial => "partial",
        ScanStatus.Queued => "queued",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A storage's scan is queued, listing, analysing, succeeded, failed or partial."),
    };

    /// <summary>Unknown text (a newer writer) reads as queued: the next scan writes a known one.</summary>
    public static ScanStatus Parse(string text) => text switch
    {
        "listing" => ScanStatus.Listing,
        "analysing" => ScanStatus.Analysing,
        "succeeded" => ScanStatus.Succeeded,
        "failed" => ScanStatus.Failed,
        "partial" => ScanStatus.Partial,
        _ => ScanStatus.Queued,
    };
}

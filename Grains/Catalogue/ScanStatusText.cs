using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>
/// The one place where a scan status meets its text: the catalogue's columns (pcrs_storages.status: queued, listing,
/// analysing, succeeded, failed, partial; pcrs_scans.status: running, then the scan's end status), the web API's JSON
/// ("verifying" besides) and the scan verb's output. Code inside compares <see cref="ScanStatus"/> values, never text.
/// </summary>
public static class ScanStatusText
{
    /// <summary>pcrs_scans.status of a scan that has not finished (no <see cref="ScanStatus"/>: a storage's status says which phase).</summary>
    public const string Running = "running";

    public static string ToText(ScanStatus status) => status switch
    {
        ScanStatus.Listing => "listing",
        ScanStatus.Analysing => "analysing",
        ScanStatus.Succeeded => "succeeded",
        ScanStatus.Failed => "failed",
        ScanStatus.Partial => "partial",
        ScanStatus.Queued => "queued",
        ScanStatus.Verifying => "verifying",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A scan is verifying, queued, listing, analysing, succeeded, failed or partial."),
    };

    /// <summary>Unknown text (a newer writer) reads as queued: the next scan writes a known one.</summary>
    public static ScanStatus Parse(string text) => text switch
    {
        "listing" => ScanStatus.Listing,
        "analysing" => ScanStatus.Analysing,
        "succeeded" => ScanStatus.Succeeded,
        "failed" => ScanStatus.Failed,
        "partial" => ScanStatus.Partial,
        "verifying" => ScanStatus.Verifying,
        _ => ScanStatus.Queued,
    };

    /// <summary>A scan of the history: <see cref="Running"/> while it runs (null), its end status after.</summary>
    public static string ToHistoryText(ScanStatus? status) => status is { } ended ? ToText(ended) : Running;

    /// <summary>The history's text back: null for <see cref="Running"/>.</summary>
    public static ScanStatus? ParseHistory(string text) => text == Running ? null : Parse(text);

    /// <summary>The statuses of a storage no scan is writing to (<see cref="ScanStamp.Settled"/>), as SQL literals for an IN list.</summary>
    public static string SettledSqlList { get; } = string.Join(", ",
        new[] { ScanStatus.Succeeded, ScanStatus.Failed, ScanStatus.Partial }.Select(s => $"'{ToText(s)}'"));
}

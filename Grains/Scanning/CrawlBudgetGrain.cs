using System.Globalization;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Counts what the current scan of one storage has listed and refuses directories past the per-scan bounds
/// (<see cref="ScanningOptions.MaxDirectoriesPerScan"/>, <see cref="ScanningOptions.MaxEntriesPerScan"/>,
/// <see cref="ScanningOptions.MaxListingBytesPerScan"/>).
/// </summary>
/// <remarks>
/// The counts live in the activation only: if it is lost (its silo died) the scan's counting starts again from zero, so a
/// scan interrupted that way may take in up to twice a bound, still a bound. A newer scan number starts a fresh count.
/// </remarks>
public sealed class CrawlBudgetGrain(IOptions<ScanningOptions> options) : Grain, ICrawlBudgetGrain
{
    private readonly ScanningOptions _options = options.Value;
    private long _scan;
    private long _directories;
    private long _entries;
    private long _bytes;

    public Task<string?> Admit(long scanNumber, long entries, long listingBytes) => Take(scanNumber, 1, entries, listingBytes);

    public Task<string?> AdmitMore(long scanNumber, long entries, long listingBytes) => Take(scanNumber, 0, entries, listingBytes);

    private Task<string?> Take(long scanNumber, long directories, long entries, long listingBytes)
    {
        if (scanNumber > _scan)
            (_scan, _directories, _entries, _bytes) = (scanNumber, 0, 0, 0);
        else if (scanNumber < _scan)
            return Task.FromResult<string?>(null); // a superseded scan's directory: its work is dropped anyway, count nothing
        string? refused =
            _directories + directories > _options.MaxDirectoriesPerScan
                ? Bound("Scanning:MaxDirectoriesPerScan", _options.MaxDirectoriesPerScan, "directories")
            : _entries + entries > _options.MaxEntriesPerScan
                ? Bound("Scanning:MaxEntriesPerScan", _options.MaxEntriesPerScan, "listed entries")
            : _bytes + listingBytes > _options.MaxListingBytesPerScan
                ? Bound("Scanning:MaxListingBytesPerScan", _options.MaxListingBytesPerScan, "bytes of listed names")
            : null;
        if (refused is null)
        {
            _directories += directories;
            _entries += entries;
            _bytes += listingBytes;
        }
        return Task.FromResult(refused);
    }

    private static string Bound(string setting, long value, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"Crawl bound reached: the scan already took in {value} {what} ({setting}); this branch is not crawled.");
}

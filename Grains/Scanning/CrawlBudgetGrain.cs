using System.Globalization;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning.Placement;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Counts what the current scan has listed, for a whole storage (key: the storage key; bounds
/// <see cref="ScanningOptions.MaxDirectoriesPerScan"/>, <see cref="ScanningOptions.MaxEntriesPerScan"/>,
/// <see cref="ScanningOptions.MaxListingBytesPerScan"/>) or for one scan root of it (key: the root's directory key; bounds
/// <see cref="ScanningOptions.MaxDirectoriesPerDeliverable"/> and its siblings), and refuses directories past the bounds.
/// </summary>
/// <remarks>
/// The counts live in the activation only: if it is lost (its silo died) the scan's counting starts again from zero, so a
/// scan interrupted that way may take in up to twice a bound, still a bound. A newer scan number starts a fresh count.
/// </remarks>
[StoragePlacement]
public sealed class CrawlBudgetGrain(IOptions<ScanningOptions> options) : Grain, ICrawlBudgetGrain
{
    private readonly ScanningOptions _options = options.Value;
    private CrawlBounds _bounds = null!;
    private long _scan;
    private long _directories;
    private long _entries;
    private long _bytes;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _bounds = this.GetPrimaryKeyString().Contains(ScanKeys.Separator, StringComparison.Ordinal)
            ? new CrawlBounds("scan root", _options.MaxDirectoriesPerDeliverable, "Scanning:MaxDirectoriesPerDeliverable",
                _options.MaxEntriesPerDeliverable, "Scanning:MaxEntriesPerDeliverable",
                _options.MaxListingBytesPerDeliverable, "Scanning:MaxListingBytesPerDeliverable")
            : new CrawlBounds("scan", _options.MaxDirectoriesPerScan, "Scanning:MaxDirectoriesPerScan",
                _options.MaxEntriesPerScan, "Scanning:MaxEntriesPerScan",
                _options.MaxListingBytesPerScan, "Scanning:MaxListingBytesPerScan");
        return Task.CompletedTask;
    }

    public Task<string?> Admit(long scanNumber, long entries, long listingBytes) => Take(scanNumber, 1, entries, listingBytes);

    public Task<string?> AdmitMore(long scanNumber, long entries, long listingBytes) => Take(scanNumber, 0, entries, listingBytes);

    private Task<string?> Take(long scanNumber, long directories, long entries, long listingBytes)
    {
        if (scanNumber > _scan)
            (_scan, _directories, _entries, _bytes) = (scanNumber, 0, 0, 0);
        else if (scanNumber < _scan)
            return Task.FromResult<string?>(null); // a superseded scan's directory: its work is dropped anyway, count nothing
        var b = _bounds;
        string? refused =
            _directories + directories > b.Directories ? Bound(b.Directories, "directories", b.DirectoriesSetting)
            : _entries + entries > b.Entries ? Bound(b.Entries, "listed entries", b.EntriesSetting)
            : _bytes + listingBytes > b.Bytes ? Bound(b.Bytes, "bytes of listed names", b.BytesSetting)
            : null;
        if (refused is null)
        {
            _directories += directories;
            _entries += entries;
            _bytes += listingBytes;
        }
        return Task.FromResult(refused);
    }

    private string Bound(long value, string what, string setting) => string.Create(CultureInfo.InvariantCulture,
        $"Crawl bound reached: the {_bounds.Scope} already took in {value} {what} ({setting}); this branch is not crawled.");

    /// <summary>The three bounds of one budget and the settings that name them in a refusal.</summary>
    private sealed record CrawlBounds(string Scope, long Directories, string DirectoriesSetting, long Entries, string EntriesSetting,
        long Bytes, string BytesSetting);
}

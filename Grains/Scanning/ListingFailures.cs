using System.Data.Common;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// What a failure around a directory's listing says about the directory. The listing is followed by calls to the crawl
/// budgets (grains, possibly on a silo that is stopping) and preceded by the catalogue's storage row: their failures
/// say nothing about the directory. Taken as its failed listing, a directory whose budget grain's silo stopped at the
/// wrong moment ended "listed, failed" with none of its files, and the scan ended succeeded without them.
/// </summary>
internal static class ListingFailures
{
    /// <summary>
    /// A failure of the cluster or of the catalogue (a silo stopping or gone, a call timing out, PostgreSQL unreachable):
    /// the directory stays unfinished and the watchdog's next order redoes it.
    /// </summary>
    public static bool IsClusterOrCatalogue(Exception e) =>
        e is OrleansException or TimeoutException or DbException or ObjectDisposedException;

    /// <summary>
    /// A failure the next scan may not meet (the server failing for a while, or an unexpected error of the scanner): the
    /// branch was not read, so the scan ends "partial" rather than "succeeded". The server's own answers (missing,
    /// refused) and crawl bounds are final for this scan.
    /// </summary>
    public static bool IsUnreadable(Exception e) =>
        e is StorageException { IsTransient: true } || e is not (StorageException or CrawlBoundException);
}

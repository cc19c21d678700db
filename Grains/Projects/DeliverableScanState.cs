using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Grains.Projects;

/// <summary>
/// Narrows a storage's scan state to one deliverable's start path. Several deliverables share a storage's scan: one whose
/// start path could not be listed (missing folder, refused directory) must show that error, and the others must not show
/// it, nor be failed by it. Decided from the catalogue's directory states of the crawled root that holds the start path
/// and of the start path itself, as the last completed scan left them.
/// </summary>
public static class DeliverableScanState
{
    /// <summary>The status and error the deliverable shows, from the storage's view and the two directory states.</summary>
    /// <param name="scan">The storage's view.</param>
    /// <param name="startPath">The deliverable's start path, normalized as the catalogue stores directories ("/a/b").</param>
    /// <param name="rootPath">The crawled root holding the start path (the start path itself when it is a root).</param>
    /// <param name="root">Directory state of <paramref name="rootPath"/>; null when never scanned.</param>
    /// <param name="start">Directory state of <paramref name="startPath"/>; null when never scanned.</param>
    /// <param name="unreadableFiles">Files under the start path that the last completed scan could not read for a
    /// transient reason (server down, timeout, 5xx); only asked for when the storage's scan ended partial.</param>
    public static DeliverableOutcome Narrow(StorageScanView scan, string startPath, string rootPath, DirectoryStateRow? root, DirectoryStateRow? start,
        long unreadableFiles = 0)
    {
        ArgumentNullException.ThrowIfNull(scan);
        bool running = scan.Status is ScanStatus.Listing or ScanStatus.Analysing;
        long lastCompleted = running ? scan.ScanNumber - 1 : scan.ScanNumber;
        // States older than the last completed scan say nothing about it (the start path was declared since, or the
        // roots changed): keep the storage's own state.
        if (lastCompleted <= 0 || root is null || root.CompletedScan < lastCompleted)
            return new DeliverableOutcome(scan.Status, scan.LastError, Failed: false);

        var status = running ? scan.Status : ScanStatus.Failed;
        if (root.ListingFailed)
            return new DeliverableOutcome(status, ErrorOf(rootPath, root), Failed: true);
        if (startPath != rootPath)
        {
            // A completed root has completed its whole subtree: a start path below it that did not complete in the same
            // scan was not in its parent's listing, or a folder above it could not be listed.
            if (start is null || start.CompletedScan < root.CompletedScan)
                return new DeliverableOutcome(status, $"{startPath}: not reached by the last scan (missing on the storage, or a folder above it could not be listed)", Failed: true);
            if (start.ListingFailed)
                return new DeliverableOutcome(status, ErrorOf(startPath, start), Failed: true);
        }
        // Listed: only the errors found under this start path (not another deliverable's). A running scan shows the
        // storage's status; a settled one is partial only when this start path's own subtree was cut short (a crawl
        // bound, a loop, a failing server): a bound hit under another deliverable's path leaves this one succeeded.
        var own = startPath == rootPath ? root : start!;
        if (running || scan.Status is not (ScanStatus.Succeeded or ScanStatus.Partial))
            return new DeliverableOutcome(scan.Status, own.Counts.FirstError, Failed: false);
        string? partial = ScanOutcome.PartialError(unreadableFiles, own.Counts.UnreadableListings, own.Counts.FirstError, own.Counts.BoundedListings);
        return partial is null
            ? new DeliverableOutcome(ScanStatus.Succeeded, own.Counts.FirstError, Failed: false)
            : new DeliverableOutcome(ScanStatus.Partial, partial, Failed: false);
    }

    /// <summary>Whether <see cref="Narrow"/> needs the start path's unreadable files: the storage's settled scan ended partial.</summary>
    public static bool NeedsUnreadableFiles(StorageScanView scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        return scan.Status == ScanStatus.Partial;
    }

    private static string ErrorOf(string path, DirectoryStateRow state) =>
        state.Counts.FirstError ?? $"{path}: {state.ListingError ?? "the folder could not be listed"}";
}

/// <summary>What one deliverable shows of its storage's last scan: status, error, and whether its own start path failed.</summary>
public sealed record DeliverableOutcome(ScanStatus Status, string? LastError, bool Failed);

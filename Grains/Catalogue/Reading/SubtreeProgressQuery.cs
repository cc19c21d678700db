namespace Pcrs.Grains.Catalogue;

/// <summary>
/// One scan's counts under a start path, from what the crawl records per directory: once the start folder completed the
/// scan, its subtree counts (directories, files, data files, errors) with the headers that scan read under it; before
/// that, what was read under it so far. The same rules for every catalogue, in one place.
/// </summary>
public static class SubtreeProgressQuery
{
    public static async Task<SubtreeProgress> ReadAsync(ICatalogue catalogue, string storageKey, string startPath, long scanNumber,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var reads = await catalogue.CountScanReadsAsync(storageKey, startPath, scanNumber, cancellationToken);
        var state = await catalogue.GetDirectoryStateAsync(storageKey, startPath, cancellationToken);
        if (state is null || state.CompletedScan < scanNumber)
            return new SubtreeProgress(0, reads.Files, reads.Files, 0, 0, reads.BytesRead);
        var counts = state.Counts;
        // Unchanged data files were listed and not read again; a later scan may have completed the folder since (then its
        // counts are the newer scan's, and so are the reads: the caller asks for the storage's current scan).
        return new SubtreeProgress(counts.Directories, counts.Files, reads.Files, Math.Max(0, counts.DataFiles - reads.Files),
            counts.Errors, reads.BytesRead);
    }
}

using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>What one listing asks for: the listing recorded, the files to read (new or changed, with their sidecars) and the counts of the others.</summary>
public sealed partial class DirectoryGrain
{
    /// <summary>What one listing asks for: the files to analyse and the subtree counts of the files themselves.</summary>
    private sealed record FilePlan(List<(string Path, FileAnalysisOrder Order)> ToAnalyse, long Files, long DataFiles, long TotalBytes, long UnchangedErrors);

    /// <summary>Records the listing, sends the order to the sub-directories and decides which files need reading; its
    /// temporaries (catalogue children, entry rows, name index) end with it.</summary>
    private async Task<FilePlan> PlanAsync(long scanNumber, List<StorageEntry> listed)
    {
        var known = (await catalogue.GetChildrenAsync(_storageKey, _path)).ToDictionary(k => k.Entry.Path, StringComparer.Ordinal);
        var rows = new List<EntryRow>(listed.Count);
        var directories = new List<string>();
        var files = new List<StorageEntry>();
        foreach (var entry in listed)
        {
            if (!IsSafeName(entry.Name))
                continue;
            string path = StoragePaths.Combine(_path, entry.Name);
            switch (entry.Kind)
            {
                case StorageEntryKind.Directory:
                    directories.Add(path);
                    rows.Add(new EntryRow(path, EntryKind.Directory, null, entry.LastModified, null));
                    break;
                case StorageEntryKind.File:
                    files.Add(entry);
                    // A rounded listing size is not the file's size: the entry keeps none (its tile gets the exact one).
                    rows.Add(new EntryRow(path, EntryKind.File, entry.ExactSize, entry.LastModified, entry.ETag));
                    break;
                default:
                    // Links are not followed: a link to an ancestor would loop, one out of the chroot dangles.
                    break;
            }
        }
        LogListed(logger, _storageKey, _path, scanNumber, directories.Count, files.Count, _deactivating.IsCancellationRequested);
        await catalogue.ApplyListingAsync(_storageKey, _path, rows, scanNumber);

        foreach (var directory in directories)
            _children[directory] = null;
        AddProgress(new ScanProgress(1, files.Count, 0, 0, 0, 0));
        await SendToChildrenAsync(directories);

        var byName = files.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        long dataFiles = 0, totalBytes = 0, errors = 0;
        var toAnalyse = new List<(string Path, FileAnalysisOrder Order)>();
        foreach (var file in files)
        {
            if (!DataFiles.IsDataFile(file.Name))
                continue;
            dataFiles++;
            string path = StoragePaths.Combine(_path, file.Name);
            var order = OrderFor(scanNumber, file, name => byName.GetValueOrDefault(name));
            if (known.TryGetValue(path, out var previous) && previous.Tile is { } stamp && FileFacts.IsUnchanged(stamp, order))
            {
                // The stored exact size: the listing's may be rounded.
                totalBytes += stamp.Size ?? 0;
                if (stamp.HasError)
                    errors++;
                AddProgress(new ScanProgress(0, 0, 0, 1, stamp.HasError ? 1 : 0, 0));
                continue;
            }
            // Files to read count the exact size their reading finds (AnalyseAsync).
            toAnalyse.Add((path, order));
        }

        return new FilePlan(toAnalyse, files.Count, dataFiles, totalBytes, errors);
    }

    /// <summary>The analysis order of a listed data file, with the sidecars that <paramref name="sidecarOf"/> finds by name.</summary>
    private static FileAnalysisOrder OrderFor(long scanNumber, StorageEntry file, Func<string, StorageEntry?> sidecarOf)
    {
        var sidecars = DataFiles.SidecarCandidates(file.Name)
            .Select(sidecarOf)
            .OfType<StorageEntry>()
            .DistinctBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new SidecarInfo(s.Name, s.Size, s.LastModified, s.SizeIsExact))
            .ToArray();
        string signature = string.Join('|', sidecars.Select(s => $"{s.Name}:{s.Size}:{s.LastModified?.ToUnixTimeSeconds()}"));
        return FileFacts.Order(scanNumber, file, sidecars, signature);
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Directory {StorageKey} {Path} listed for scan {ScanNumber}: {Directories} directories, {Files} files (deactivated: {Deactivated})")]
    private static partial void LogListed(Microsoft.Extensions.Logging.ILogger logger, string storageKey, string path, long scanNumber, int directories, int files, bool deactivated);
}

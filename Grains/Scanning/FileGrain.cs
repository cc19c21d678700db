using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning.Placement;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Reads data files' headers (and the sidecars the DirectoryGrain saw next to them) through the format readers, over this
/// silo's pooled client for the storage, and writes their tile rows. Keeps nothing between calls. A scan sends batches
/// of a directory's files to a few file shards per storage (<see cref="ScanKeys.FileShard"/>), which stay active from
/// batch to batch: a grain activation (placement, directory registration, deactivation) per file cost 15-20 % of a
/// silo's CPU per file. A grain keyed by one file (<see cref="Analyse"/>) deactivates as soon as it is idle.
/// </summary>
/// <remarks>Placed on the storage's silo, with its directories (<see cref="Placement.StoragePlacementDirector"/>).</remarks>
[StoragePlacement]
public sealed partial class FileGrain(
    Catalogue.ICatalogue catalogue,
    StorageClientCache clients,
    TileWriter writer,
    ScanActivity activity,
    IServiceProvider services,
    IOptions<ScanningOptions> options,
    ILogger<FileGrain> logger) : Grain, IFileGrain
{
    /// <summary>Files one batch may hold: a batch is analysed all at once, so its size bounds this call's work.</summary>
    public const int MaxBatch = 256;

    /// <summary>
    /// How long a file may wait for the storage's connections in all: enough for the cluster to declare a dead silo and
    /// move the storage's lease table, bounded so that a lease that never comes still ends the read.
    /// </summary>
    private static readonly TimeSpan LongestConnectionWait = TimeSpan.FromMinutes(10);

    public async Task<FileAnalysisResult> Analyse(FileAnalysisOrder order)
    {
        var (storageKey, path) = ScanKeys.Split(this.GetPrimaryKeyString());
        var result = await AnalyseFileAsync(storageKey, path, order);
        DeactivateOnIdle();
        return result;
    }

    public async Task<FileAnalysisResult[]> AnalyseBatch(FileBatchItem[] files)
    {
        if (files.Length > MaxBatch)
            throw new ArgumentException($"A batch holds at most {MaxBatch} files; this one holds {files.Length}.", nameof(files));
        var (storageKey, _) = ScanKeys.Split(this.GetPrimaryKeyString());
        foreach (var file in files)
        {
            if (!file.Path.StartsWith('/'))
                throw new ArgumentException($"'{file.Path}' is not a path in the storage.", nameof(files));
        }
        return await Task.WhenAll(files.Select(f => AnalyseFileAsync(storageKey, f.Path, f.Order)));
    }

    private async Task<FileAnalysisResult> AnalyseFileAsync(string storageKey, string path, FileAnalysisOrder order)
    {
        if (order.IsRetry && await RecordedByThisScanAsync(storageKey, path, order) is { } recorded)
        {
            // The earlier attempt finished but its answer was lost (timeout, dead caller silo): do not read the file again.
            return new FileAnalysisResult(recorded.BytesRead, recorded.Error, recorded.Format, recorded.Size);
        }
        var now = DateTimeOffset.UtcNow;
        long bytesRead = 0;
        string? errorKind = null;
        Catalogue.TileRow row;
        try
        {
            var tileReader = services.GetService<ITileReader>()
                ?? throw new InvalidOperationException("No tile reader is registered in this silo.");
            // The file's time limit counts its reads, not its waits for one of the storage's connections.
            using var budget = ConnectionTimeBudget.Start(options.Value.FileTimeout, LongestConnectionWait);
            var client = await clients.GetAsync(storageKey, order.ScanNumber, budget.Token);
            if (await UnchangedByItsOwnFactsAsync(client, storageKey, path, order, budget.Token) is { } same)
                return same;
            // A rounded listing size ("51K") never bounds a read: the reads learn the exact length from the protocol.
            var file = new StorageRangeReader(client, path, order.SizeIsExact ? order.Size : null);
            string directory = StoragePaths.Parent(path);
            var sidecars = order.Sidecars
                .Select(s => new StorageRangeReader(client, StoragePaths.Combine(directory, s.Name), s.SizeIsExact ? s.Size : null)).ToList();
            try
            {
                var metadata = await tileReader.ReadAsync(file, sidecars, budget.Token);
                if (new[] { file }.Concat(sidecars).Select(r => r.Interruption).FirstOrDefault(e => e is not null) is { } cut)
                    throw new ReadInterruptedException(path, cut);
                bytesRead = file.BytesRead + sidecars.Sum(s => s.BytesRead);
                // An error caused by the server (refused, timeout, 5xx, 421) is not the file's: recorded so that the next
                // scan reads it again even if its size and date did not change. Content errors stay until the file changes.
                var transient = metadata.Error is not null ? TransientFailures.FirstOf([file, .. sidecars]) : null;
                row = transient is not null
                    ? TileRows.StorageFailure(storageKey, path, order, metadata.Error!, bytesRead, now)
                    : TileRows.FromMetadata(storageKey, path, order, file, metadata with { BytesRead = bytesRead }, now);
                errorKind = row.Error is null ? null : transient?.Kind.ToString().ToLowerInvariant() ?? "format";
            }
            catch (OperationCanceledException) when (budget.IsSpent)
            {
                bytesRead = file.BytesRead + sidecars.Sum(s => s.BytesRead);
                row = TileRows.StorageFailure(storageKey, path, order, budget.IsSpentWaiting
                    ? $"No connection to the storage came free within {LongestConnectionWait.TotalMinutes:0} min."
                    : $"Reading the header took longer than {options.Value.FileTimeout.TotalSeconds:0} s.", bytesRead, now);
                errorKind = "timeout";
            }
        }
        catch (Exception e) when (e is ReadInterruptedException or ObjectDisposedException || clients.IsStopping)
        {
            // This side stopped the read (a closed client, a stopping silo, a connection given back under a lowered
            // limit): neither the file's error nor the server's answer. No row and no error count: the caller's retry
            // reads it again (on another silo when this one stops); a stopped scan's caller is gone and drops it.
            LogInterrupted(logger, storageKey, path, $"{e.GetType().Name}: {e.Message}");
            throw e as ReadInterruptedException ?? new ReadInterruptedException(path, e);
        }
        catch (StorageException e)
        {
            row = TileRows.StorageFailure(storageKey, path, order, e.Message, bytesRead, now);
            errorKind = e.Kind.ToString().ToLowerInvariant();
        }
        catch (Exception e)
        {
            // A reader must not throw; if one does, record one clear error for this file and read it again next scan.
            LogUnexpected(logger, e, storageKey, path);
            row = TileRows.StorageFailure(storageKey, path, order, $"The header could not be read ({e.GetType().Name}).", bytesRead, now);
            errorKind = "unexpected";
        }

        await writer.WriteAsync(row, CancellationToken.None);
        activity.FileAnalysed(row.BytesRead, errorKind);
        return new FileAnalysisResult(row.BytesRead, row.Error, row.Format, row.Size);
    }

    /// <summary>
    /// A listing that prints neither a date nor an ETag (Python's http.server prints names only) cannot tell an unchanged
    /// file from a rewritten one: the protocol can, without reading a byte. When the stored row came from the same listing
    /// and sidecars and holds the file's own facts, one stat (an HTTP HEAD) compares size and ETag or modification time.
    /// </summary>
    private async Task<FileAnalysisResult?> UnchangedByItsOwnFactsAsync(IStorageClient client, string storageKey, string path,
        FileAnalysisOrder order, CancellationToken cancellationToken)
    {
        if (order.LastModified is not null || order.ETag is not null)
            return null;
        var stored = await catalogue.GetTileAsync(storageKey, path);
        if (stored is null || stored.ListingStamp != FileFacts.ListingStamp(order) || stored.SidecarSignature != order.SidecarSignature
            || stored.Size is null || (stored.ModifiedAt is null && stored.ETag is null))
            return null;
        StorageEntry? now;
        try
        {
            now = await client.StatAsync(path, cancellationToken);
        }
        catch (StorageException)
        {
            return null; // reading the header says what it is
        }
        bool same = now is { Kind: StorageEntryKind.File } && now.Size == stored.Size
            && (now.ETag is not null && stored.ETag is not null
                ? now.ETag == stored.ETag
                : now.LastModified is not null && stored.ModifiedAt is not null
                  && now.LastModified.Value.ToUnixTimeSeconds() == stored.ModifiedAt.Value.ToUnixTimeSeconds());
        return same ? new FileAnalysisResult(0, stored.Error, stored.Format, stored.Size, Unchanged: true) : null;
    }

    /// <summary>This file's row if this scan already wrote it from the same listing entry (a storage failure is read again).</summary>
    private async Task<Catalogue.TileRow?> RecordedByThisScanAsync(string storageKey, string path, FileAnalysisOrder order)
    {
        var row = await catalogue.GetTileAsync(storageKey, path);
        return row is not null && row.ScanNumber == order.ScanNumber && row.ListingStamp == FileFacts.ListingStamp(order)
            && row.SidecarSignature == order.SidecarSignature
            ? row
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {StorageKey} {Path} was interrupted on this side ({Reason}); left for a retry")]
    private static partial void LogInterrupted(ILogger logger, string storageKey, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure reading {StorageKey} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string storageKey, string path);
}

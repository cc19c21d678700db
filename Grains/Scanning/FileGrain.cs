using Orleans.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Reads data files' headers (and the sidecars the DirectoryGrain saw next to them) through the format readers, over this
/// silo's pooled client for the storage, and writes their tile rows. Keeps nothing between calls. A scan sends batches
/// of a directory's files to a few file shards per storage (<see cref="ScanKeys.FileShard"/>), which stay active from
/// batch to batch: a grain activation (placement, directory registration, deactivation) per file cost 15-20 % of a
/// silo's CPU per file. A grain keyed by one file (<see cref="Analyse"/>) deactivates as soon as it is idle.
/// </summary>
/// <remarks>Random placement spreads a storage's shards over every silo (the default prefers the caller's silo).</remarks>
[RandomPlacement]
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
            return new FileAnalysisResult(recorded.BytesRead, recorded.Error, recorded.Format);
        }
        var now = DateTimeOffset.UtcNow;
        long bytesRead = 0;
        string? errorKind = null;
        Catalogue.TileRow row;
        try
        {
            var tileReader = services.GetService<ITileReader>()
                ?? throw new InvalidOperationException("No tile reader is registered in this silo.");
            using var timeout = new CancellationTokenSource(options.Value.FileTimeout);
            var client = await clients.GetAsync(storageKey, order.ScanNumber, timeout.Token);
            var file = new StorageRangeReader(client, path, order.Size);
            string directory = StoragePaths.Parent(path);
            var sidecars = order.Sidecars.Select(s => new StorageRangeReader(client, StoragePaths.Combine(directory, s.Name), s.Size)).ToList();
            try
            {
                var metadata = await tileReader.ReadAsync(file, sidecars, timeout.Token);
                bytesRead = file.BytesRead + sidecars.Sum(s => s.BytesRead);
                // An error caused by the server (refused, timeout, 5xx, 421) is not the file's: recorded so that the next
                // scan reads it again even if its size and date did not change. Content errors stay until the file changes.
                var transient = metadata.Error is not null ? TransientFailures.FirstOf([file, .. sidecars]) : null;
                row = transient is not null
                    ? TileRows.StorageFailure(storageKey, path, order, metadata.Error!, bytesRead, now)
                    : TileRows.FromMetadata(storageKey, path, order, metadata with { BytesRead = bytesRead }, now);
                errorKind = row.Error is null ? null : transient?.Kind.ToString().ToLowerInvariant() ?? "format";
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                bytesRead = file.BytesRead + sidecars.Sum(s => s.BytesRead);
                row = TileRows.StorageFailure(storageKey, path, order,
                    $"Reading the header took longer than {options.Value.FileTimeout.TotalSeconds:0} s.", bytesRead, now);
                errorKind = "timeout";
            }
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
        return new FileAnalysisResult(row.BytesRead, row.Error, row.Format);
    }

    /// <summary>This file's row if this scan already wrote it from the same listing entry (a storage failure is read again).</summary>
    private async Task<Catalogue.TileRow?> RecordedByThisScanAsync(string storageKey, string path, FileAnalysisOrder order)
    {
        var row = await catalogue.GetTileAsync(storageKey, path);
        return row is not null && row.ScanNumber == order.ScanNumber && row.Size == order.Size
            && row.SidecarSignature == order.SidecarSignature && row.ETag == order.ETag
            ? row
            : null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure reading {StorageKey} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string storageKey, string path);
}

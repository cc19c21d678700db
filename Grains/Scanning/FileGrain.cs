using Orleans.Placement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// One data file: reads its header (and the sidecars the DirectoryGrain saw next to it) through the format readers,
/// over this silo's pooled client for the storage, and writes the tile row. Keeps nothing between calls, so it
/// deactivates as soon as it is idle: a national scan activates millions of these once each.
/// </summary>
/// <remarks>Random placement spreads a storage's tree over every silo (the default prefers the caller's silo).</remarks>
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
    public async Task<FileAnalysisResult> Analyse(FileAnalysisOrder order)
    {
        var (storageKey, path) = ScanKeys.Split(this.GetPrimaryKeyString());
        if (order.IsRetry && await RecordedByThisScanAsync(storageKey, path, order) is { } recorded)
        {
            // The earlier attempt finished but its answer was lost (timeout, dead caller silo): do not read the file again.
            DeactivateOnIdle();
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
        DeactivateOnIdle();
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

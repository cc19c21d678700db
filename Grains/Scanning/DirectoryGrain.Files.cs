using Microsoft.Extensions.Logging;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>How a DirectoryGrain has its new or changed files analysed: in batches sent to the storage's file shards.</summary>
public sealed partial class DirectoryGrain
{
    /// <summary>
    /// How long a FileGrain call is retried after its silo died or the call timed out: until the cluster declares the
    /// silo dead (probes, votes: tens of seconds on a loaded machine), calls to its activations keep failing at once.
    /// </summary>
    private static readonly TimeSpan FileRetryWindow = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan LongestFileRetryPause = TimeSpan.FromSeconds(5);

    /// <summary>Batches this activation has sent: consecutive batches go to consecutive shards (and so to every silo).</summary>
    private int _batchesSent;

    /// <summary>Sends the files in batches of <see cref="FileFanOut.BatchSize"/>, with at most
    /// <see cref="ScanningOptions.FilesInFlightPerDirectory"/> files in flight (and this silo's share per storage, see
    /// <see cref="FileFanOut"/>); returns the files in error.</summary>
    private async Task<long> AnalyseAsync(List<(string Path, FileAnalysisOrder Order)> files)
    {
        int batchSize = fanOut.BatchSize;
        int batchesInFlight = Math.Max(1, _options.FilesInFlightPerDirectory / batchSize);
        long errors = 0;
        var inFlight = new List<Task<FileAnalysisResult[]>>();
        int next = 0;
        while (next < files.Count || inFlight.Count > 0)
        {
            while (next < files.Count && inFlight.Count < batchesInFlight)
            {
                await StopIfScanEndedAsync(); // revoked, detached or superseded: no new file read
                // Waits here (no timeout) while the silo has enough calls in flight towards this storage.
                var slot = await fanOut.EnterAsync(_storageKey, _deactivating.Token);
                var batch = new FileBatchItem[Math.Min(batchSize, files.Count - next)];
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = new FileBatchItem(files[next].Path, files[next].Order);
                    files[next++] = default; // handed to its call: the list need not keep it alive
                }
                inFlight.Add(AnalyseBatchAsync(batch, slot));
            }
            var done = await Task.WhenAny(inFlight);
            inFlight.Remove(done);
            foreach (var result in await done)
            {
                if (result.Error is not null)
                    errors++;
                AddProgress(new ScanProgress(0, 0, 1, 0, result.Error is null ? 0 : 1, result.BytesRead));
            }
            await FlushProgressIfDueAsync();
        }
        return errors;
    }

    private async Task<FileAnalysisResult[]> AnalyseBatchAsync(FileBatchItem[] batch, IDisposable slot)
    {
        using var held = slot;
        var shard = GrainFactory.GetGrain<IFileGrain>(ScanKeys.FileShard(_storageKey, NextShard()));
        long giveUpAt = Environment.TickCount64 + (long)FileRetryWindow.TotalMilliseconds;
        var pause = TimeSpan.FromMilliseconds(200);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await shard.AnalyseBatch(attempt == 1 ? batch : [.. batch.Select(f => f with { Order = f.Order with { IsRetry = true } })]);
            }
            catch (Exception e) when (Environment.TickCount64 < giveUpAt && !_deactivating.IsCancellationRequested)
            {
                // The shard's silo died or the call timed out: the shard re-activates elsewhere once the silo is declared
                // dead. A retry reads nothing of a file whose row the earlier attempt wrote in this scan.
                LogFileRetry(logger, _storageKey, batch[0].Path, batch.Length, attempt, $"{e.GetType().Name}: {e.Message}");
                await Task.Delay(pause, _deactivating.Token);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestFileRetryPause.Ticks));
            }
            catch (Exception) when (_deactivating.IsCancellationRequested)
            {
                throw new OperationCanceledException(_deactivating.Token);
            }
            catch (Exception e)
            {
                // Recorded as each file's error (and read again next scan), so the summary counts them instead of missing them.
                string error = $"The file could not be analysed ({e.GetType().Name}).";
                var now = DateTimeOffset.UtcNow;
                await Task.WhenAll(batch.Select(f =>
                    tileWriter.WriteAsync(TileRows.StorageFailure(_storageKey, f.Path, f.Order, error, 0, now), CancellationToken.None)));
                return [.. batch.Select(_ => new FileAnalysisResult(0, error, null))];
            }
        }
    }

    /// <summary>The next shard of this directory's round: it starts at a shard fixed by the directory's path.</summary>
    private int NextShard()
    {
        uint hash = 2166136261; // FNV-1a: the same start for the same directory in every silo and run
        foreach (char c in _path)
            hash = (hash ^ c) * 16777619;
        return (int)((hash + (uint)_batchesSent++) % (uint)_options.FileShardsPerStorage);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Analysing {StorageKey} {Path} and the rest of its batch of {Count} failed ({Attempt}, {Error}); retrying")]
    private static partial void LogFileRetry(ILogger logger, string storageKey, string path, int count, int attempt, string error);
}

using Orleans.Concurrency;

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// Reads data files' headers through the format readers and writes their tiles to the catalogue; holds nothing between
/// calls. Keyed by one file (<c>&lt;storage key&gt;|/path/name.jp2</c>, <see cref="Analyse"/>) or by one of a storage's
/// file shards (<see cref="ScanKeys.FileShard"/>, <see cref="AnalyseBatch"/>): a scan sends a directory's files in
/// batches to shards that stay active, instead of activating one grain per file.
/// </summary>
[Alias("pcrs.IFileGrain")]
public interface IFileGrain : IGrainWithStringKey
{
    /// <remarks>
    /// The grain bounds a header read by ScanningOptions.FileTimeout (2 minutes by default) and answers with the error;
    /// the caller waits a little longer than that, not Orleans' 30 s default, so a slow read is reported, not lost.
    /// </remarks>
    [Alias("Analyse")]
    [ResponseTimeout("00:02:30")]
    Task<FileAnalysisResult> Analyse(FileAnalysisOrder order);

    /// <summary>
    /// Analyses every file of the batch at once (each as <see cref="Analyse"/> would, retries included) and answers in
    /// the batch's order. Interleaved: a shard serves several directories' batches at the same time.
    /// </summary>
    /// <remarks>The files run at once, each bounded as <see cref="Analyse"/> is: the caller waits as long.</remarks>
    [Alias("AnalyseBatch"), AlwaysInterleave]
    [ResponseTimeout("00:02:30")]
    Task<FileAnalysisResult[]> AnalyseBatch(FileBatchItem[] files);
}

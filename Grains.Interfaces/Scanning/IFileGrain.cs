namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// One data file of a storage (key: <c>&lt;storage key&gt;|/path/name.jp2</c>). Reads its header through the format readers
/// and writes the tile to the catalogue. Holds nothing between calls.
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
}

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// One data file of a storage (key: <c>&lt;storage key&gt;|/path/name.jp2</c>). Reads its header through the format readers
/// and writes the tile to the catalogue. Holds nothing between calls.
/// </summary>
[Alias("pcrs.IFileGrain")]
public interface IFileGrain : IGrainWithStringKey
{
    [Alias("Analyse")]
    Task<FileAnalysisResult> Analyse(FileAnalysisOrder order);
}

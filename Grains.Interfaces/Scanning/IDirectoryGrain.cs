using Orleans.Concurrency;

namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// One directory of a storage (key: <c>&lt;storage key&gt;|/path/</c>). Lists it, compares with the catalogue, fans out to
/// child directories and to FileGrains of new or changed data files (bounded), and reports its subtree's counts to its parent.
/// </summary>
[Alias("pcrs.IDirectoryGrain")]
public interface IDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Takes part in a scan; returns at once (the crawl runs in the background). Idempotent.</summary>
    [Alias("Scan")]
    Task Scan(DirectoryScanOrder order);

    /// <summary>A child directory finished its subtree for scan <paramref name="scanNumber"/>. Idempotent.</summary>
    /// <remarks>Interleaves with a running Scan call so that a parent and a child never wait on each other.</remarks>
    [Alias("ChildCompleted"), AlwaysInterleave]
    Task ChildCompleted(long scanNumber, string childPath, SubtreeReport report);
}

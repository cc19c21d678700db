namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// A per-scan crawl budget: directories, listed entries and listing bytes that one scan may take in, so a hostile or
/// broken server cannot make a crawl endless. Keyed by the storage key (the whole storage's budget) or by the directory
/// key of a scan root (<see cref="ScanKeys.Directory"/>: that deliverable's budget, so one hostile start path cannot
/// spend the others'). Every DirectoryGrain asks its root's budget then its storage's once, after listing, before
/// anything of its listing is recorded or visited.
/// </summary>
[Alias("pcrs.ICrawlBudgetGrain")]
public interface ICrawlBudgetGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes one directory with <paramref name="entries"/> entries and <paramref name="listingBytes"/> bytes of names from
    /// scan <paramref name="scanNumber"/>'s budget. Returns null when granted, else the sentence naming the bound reached
    /// (nothing is taken then).
    /// </summary>
    [Alias("Admit")]
    Task<string?> Admit(long scanNumber, long entries, long listingBytes);

    /// <summary>
    /// Takes one more batch of a directory already admitted by <see cref="Admit"/> (a listing streamed in batches): the
    /// entries and bytes only, not another directory. Returns null when granted, else the sentence naming the bound reached.
    /// </summary>
    [Alias("AdmitMore")]
    Task<string?> AdmitMore(long scanNumber, long entries, long listingBytes);
}

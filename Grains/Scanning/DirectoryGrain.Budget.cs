using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>A directory's listing is taken from its scan root's crawl budget, then from its storage's.</summary>
public sealed partial class DirectoryGrain
{
    /// <summary>
    /// Ends this branch (as a failed listing naming why) when the directory lists what an ancestor listed (a loop) or when
    /// a per-scan crawl budget is spent; otherwise takes this listing's entries from the budgets (the directory itself
    /// was counted before it was listed).
    /// </summary>
    private async Task AdmitListingAsync(long scanNumber, List<StorageEntry> listed)
    {
        _fingerprint = CrawlGuards.Fingerprint(listed);
        CrawlGuards.CheckLoop(_fingerprint, _ancestry, _path);
        await TakeFromBudgetsAsync(scanNumber, newDirectory: false, listed.Count, CrawlGuards.NameBytes(listed));
    }

    /// <summary>
    /// Takes a directory (before its listing) or a listing's entries (or one more batch of a streamed one) from the scan root's budget, then from the storage's; throws
    /// <see cref="CrawlBoundException"/> naming the first bound reached. The root's budget is asked first so that a start
    /// path past its own bounds stops spending the storage's, which the account's other deliverables need; a batch the
    /// storage then refuses stays counted by the root, which only brings that root's refusal nearer.
    /// </summary>
    private async Task TakeFromBudgetsAsync(long scanNumber, bool newDirectory, long entries, long listingBytes)
    {
        if (_root is not null)
            await TakeAsync(GrainFactory.GetGrain<ICrawlBudgetGrain>(ScanKeys.Directory(_storageKey, _root)), scanNumber, newDirectory, entries, listingBytes);
        await TakeAsync(GrainFactory.GetGrain<ICrawlBudgetGrain>(_storageKey), scanNumber, newDirectory, entries, listingBytes);
    }

    private static async Task TakeAsync(ICrawlBudgetGrain budget, long scanNumber, bool newDirectory, long entries, long listingBytes)
    {
        string? refused = newDirectory
            ? await budget.Admit(scanNumber, entries, listingBytes)
            : await budget.AdmitMore(scanNumber, entries, listingBytes);
        if (refused is not null)
            throw new CrawlBoundException(refused);
    }
}

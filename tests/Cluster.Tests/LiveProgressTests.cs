using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;

namespace Pcrs.Cluster.Tests;

/// <summary>The StorageGrain's live counts: a directory redone or reported again replaces its counts, never adds to them.</summary>
public sealed class LiveProgressTests
{
    private static ScanProgress Listed(long files, long analysed = 0, long unchanged = 0) => new(1, files, analysed, unchanged, 0, analysed * 10);

    [Fact]
    public void A_directory_redone_by_a_new_activation_replaces_what_the_lost_one_reported()
    {
        var progress = new LiveProgress();
        progress.Report("/a", Listed(100, analysed: 40), final: false);
        progress.Report("/b", Listed(50, analysed: 50), final: false);
        // /a's silo died; its new activation lists again and finds the 40 files it read as unchanged.
        progress.Report("/a", Listed(100, unchanged: 40), final: false);
        Assert.Equal(new ScanProgress(2, 150, 50, 40, 0, 500), progress.Total);
        progress.Report("/a", Listed(100, analysed: 60, unchanged: 40), final: true);
        Assert.Equal(new ScanProgress(2, 150, 110, 40, 0, 1100), progress.Total);
        Assert.Equal(new ScanProgress(1, 100, 60, 40, 0, 600), progress.Finished);
    }

    [Fact]
    public void A_restarted_storage_grain_keeps_only_the_finished_part_and_the_running_directories_report_again()
    {
        var before = new LiveProgress();
        before.Report("/done", Listed(10, analysed: 10), final: true);
        before.Report("/running", Listed(30, analysed: 5), final: false);
        Assert.Equal(40, before.Total.Files);

        var after = new LiveProgress();
        after.Reset(before.Finished); // what the StorageGrain saved
        after.Report("/running", Listed(30, analysed: 12), final: false);
        Assert.Equal(new ScanProgress(2, 40, 22, 0, 0, 220), after.Total);
    }

    [Fact]
    public void A_new_scan_starts_from_zero()
    {
        var progress = new LiveProgress();
        progress.Report("/a", Listed(5), final: false);
        progress.Reset(ScanProgress.Zero);
        Assert.Equal(ScanProgress.Zero, progress.Total);
        progress.Report("/a", Listed(5), final: false);
        Assert.Equal(5, progress.Total.Files);
    }
}

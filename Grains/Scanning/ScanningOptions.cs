using System.ComponentModel.DataAnnotations;
using Pcrs.Grains.Scanning.Placement;

namespace Pcrs.Grains.Scanning;

/// <summary>Settings of the scanning grains, bound to the "Scanning" configuration section (next to the access layer's).</summary>
public sealed class ScanningOptions
{
    public const string SectionName = "Scanning";

    /// <summary>FileGrain calls in flight per directory: bounds the fan-out of one big directory.</summary>
    [Range(1, 256)]
    public int FilesInFlightPerDirectory { get; set; } = 16;

    /// <summary>
    /// Directories of a silo recording a listing at once (catalogue rows, orders to their sub-directories), handed to the
    /// storages in turn (see <see cref="CrawlTurns"/>), so that one storage's crawl neither floods the silo nor starves
    /// the others and the public routes.
    /// </summary>
    [Range(1, 256)]
    public int CrawlTurnsPerSilo { get; set; } = 4;

    /// <summary>
    /// Files in FileGrain calls in flight per storage from one silo's directories (see <see cref="FileFanOut"/>). The
    /// default 32 is twice what 4 connections carry 4 requests deep (Scanning:HttpPipelineDepth): a batch spends part of
    /// its time off the wire (messages, parsing, recording), so with only 16 the connections idled between batches and
    /// behind +20 ms 1000 tiles took 4.3-5.8 s against 2.6-4.3 s with 32 (tests/Benchmarks/Latency, 2026-12-07). More
    /// only waits longer for a connection inside each call.
    /// </summary>
    [Range(1, 4096)]
    public int FilesInFlightPerStorage { get; set; } = 32;

    /// <summary>
    /// Files a DirectoryGrain sends in one FileGrain call (at most <see cref="FilesInFlightPerStorage"/>): one message and
    /// no activation per file. The files of a batch are read at once, so a batch takes about as long as its slowest file.
    /// </summary>
    [Range(1, 256)]
    public int FilesPerBatch { get; set; } = 8;

    /// <summary>
    /// File shards per storage (<see cref="Interfaces.Scanning.ScanKeys.FileShard"/>): the FileGrains that analyse its
    /// batches, kept active between batches on the storage's silo (see <see cref="CrawlPlacement"/>).
    /// </summary>
    [Range(1, 4096)]
    public int FileShardsPerStorage { get; set; } = 64;

    /// <summary>
    /// Where a storage's directories and file shards are activated: <see cref="Placement.CrawlPlacement.Storage"/> (default)
    /// on the storage's own silo, storages spread over the silos by hash (<see cref="StorageSilos"/>), so a crawl's calls
    /// stay in one process; <see cref="Placement.CrawlPlacement.Spread"/> on a random silo each (one storage's crawl over
    /// every silo: more messages between silos, kept for tests of a crawl straddling silos).
    /// </summary>
    public CrawlPlacement CrawlPlacement { get; set; } = CrawlPlacement.Storage;

    /// <summary>Automatic rescan period of a storage unless set per storage (default monthly).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan DefaultRescanPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// While a scan runs, how often the StorageGrain re-sends the scan order to its unfinished roots, so that a scan
    /// interrupted by a dead silo resumes on the survivors. A persistent reminder of the same period revives the grain itself.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest time spent reading one file's header (sidecars included) before it is recorded as an error.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FileTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Entries one directory listing may hold; beyond this the listing fails rather than exhaust memory.</summary>
    [Range(1, 50_000_000)]
    public int MaxEntriesPerDirectory { get; set; } = 2_000_000;

    /// <summary>
    /// Entries of a listing handled as one batch: a directory that lists more is streamed (written to the catalogue batch
    /// by batch, its files planned batch by batch) instead of being held whole; smaller ones are written in one transaction.
    /// </summary>
    [Range(100, 1_000_000)]
    public int StreamedListingBatch { get; set; } = 10_000;

    /// <summary>
    /// Directory levels crawled below a deliverable's start path (a real PCRS tree is a few levels deep); a directory
    /// deeper than this is not listed and ends its branch with an error naming the bound.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxDepth { get; set; } = 32;

    /// <summary>Directories one scan of a storage may list; the directories past it end their branch with an error.</summary>
    [Range(1, 100_000_000)]
    public long MaxDirectoriesPerScan { get; set; } = 1_000_000;

    /// <summary>Listed entries (files, directories, links) one scan of a storage may take in.</summary>
    [Range(1, 1_000_000_000)]
    public long MaxEntriesPerScan { get; set; } = 20_000_000;

    /// <summary>Bytes of listed names (UTF-8) one scan of a storage may take in: what the catalogue keeps of its listings.</summary>
    [Range(1, long.MaxValue)]
    public long MaxListingBytesPerScan { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Directories one scan may list under one scan root (a deliverable's start path; a start path inside another
    /// deliverable's is crawled, and counted, as part of it), so that one hostile start path cannot spend the storage's
    /// whole budget and leave the other deliverables of the account uncrawled.
    /// </summary>
    [Range(1, 100_000_000)]
    public long MaxDirectoriesPerDeliverable { get; set; } = 200_000;

    /// <summary>Listed entries one scan may take in under one scan root (see <see cref="MaxDirectoriesPerDeliverable"/>).</summary>
    [Range(1, 1_000_000_000)]
    public long MaxEntriesPerDeliverable { get; set; } = 5_000_000;

    /// <summary>Bytes of listed names (UTF-8) one scan may take in under one scan root (see <see cref="MaxDirectoriesPerDeliverable"/>).</summary>
    [Range(1, long.MaxValue)]
    public long MaxListingBytesPerDeliverable { get; set; } = 1024L * 1024 * 1024;

    /// <summary>How long a lease table keeps a "too many connections" reduction before granting the full limit again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TooManyConnectionsBackoff { get; set; } = TimeSpan.FromMinutes(5);
}

using Microsoft.Extensions.Options;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Projects;

namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// Computes each deliverable's aggregate and extent once its scan has ended, before any page asks: the union of a
/// 100,000-tile deliverable's footprints takes seconds, and the national map's first load waited for all of them
/// (17 s with 501 projects in tests/Benchmarks/Site). Every <see cref="WebFrontOptions.ExtentsRefreshInterval"/> it
/// reads the catalogue's version (one row); when a scan started or ended or a declaration changed, it fills <see cref="ScanDataSummaries"/> for the proven
/// declarations whose scan is settled (a running scan's tiles are still changing; entries already computed for a
/// storage's current scan cost one lookup). At start, the first pass computes them all.
/// </summary>
public sealed class ExtentWarmer(
    ITileMetadataReader tiles, ICatalogueReader catalogue, DeclaredDeliverables declared, ScanDataSummaries summaries,
    IOptions<WebFrontOptions> options, ILogger<ExtentWarmer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ExtentsRefreshInterval;
        if (interval <= TimeSpan.Zero)
            return;
        CatalogueVersion? seen = null;
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                // LastChange moves with every tile a running scan writes: a pass then would look up every storage's
                // stamp every few seconds for nothing. A scan starting or ending moves ScanNumbers or Running.
                var version = await tiles.GetVersionAsync(stoppingToken) with { LastChange = null };
                if (version != seen)
                {
                    await WarmAsync(stoppingToken);
                    seen = version;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be out of reach for a while: the pages then compute on request, as before.
                logger.LogWarning(e, "Extents not computed ahead: {Message}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        await foreach (var (_, _, _, storage) in declared.ListProvenAsync(cancellationToken))
        {
            if (await catalogue.GetScanStampAsync(storage.StorageKey, cancellationToken) is not { Settled: true })
                continue;
            await summaries.SummarizeAsync(storage.StorageKey, storage.StartPath, cancellationToken);
            await summaries.EmpriseAsync(storage.StorageKey, storage.StartPath, cancellationToken);
        }
    }
}

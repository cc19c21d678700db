using System.Globalization;
using System.Runtime.CompilerServices;
using Pcrs.Grains.Catalogue;

namespace Pcrs.Benchmarks.Metadata;

/// <summary>
/// A catalogue of one deliverable of <c>count</c> tiles shaped like a département's PCRS: 200 m tiles of 4000 x 4000
/// pixels at 5 cm in Lambert-93, RGB 8-bit GeoTIFF, each with its geotransform, extent and WGS84 footprint, streamed
/// in path order as the PostgreSQL reader streams them. Every <see cref="SampleEvery"/> tiles it records the live heap
/// (after a full collection), so that what a writer keeps per tile shows as growth.
/// </summary>
public sealed class SyntheticTiles(int count, string storageKey, string startPath) : ITileMetadataReader
{
    public const int SampleEvery = 10_000;
    private const int Columns = 400;

    public List<(long Tiles, long LiveBytes)> Samples { get; } = [];

    public static long LiveHeap() => GC.GetTotalMemory(forceFullCollection: true);

    public async IAsyncEnumerable<TileRow> ListAsync(string storageKey1, string startPath1, TileQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var scanned = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < count; i++)
        {
            if (i % SampleEvery == 0)
            {
                Samples.Add((i, LiveHeap()));
                await Task.Yield();
            }
            int column = i % Columns, row = i / Columns;
            double x = 640_000 + column * 200.0, y = 6_900_000 - row * 200.0;
            // About 200 m in degrees near 48.5° N: a plausible footprint, not a projection.
            double lon = 2.0 + column * 0.0027, lat = 49.0 - row * 0.0018;
            var footprint = string.Create(CultureInfo.InvariantCulture,
                $"{{\"type\":\"Polygon\",\"coordinates\":[[[{lon},{lat}],[{lon},{lat - 0.0018}],[{lon + 0.0027},{lat - 0.0018}],[{lon + 0.0027},{lat}],[{lon},{lat}]]]}}");
            yield return new TileRow
            {
                StorageKey = storageKey,
                Path = string.Create(CultureInfo.InvariantCulture, $"{startPath.TrimEnd('/')}/{row:0000}/PCRS_{x / 1000:0000.0}_{y / 1000:0000.0}_LA93_5cm_RVB.tif"),
                Size = 48_012_345 + i,
                ModifiedAt = scanned.AddMinutes(-i % 1440),
                FactsSource = "http-listing",
                Format = "GTiff",
                Classification = "raster",
                Width = 4000,
                Height = 4000,
                Bands = 3,
                BandNames = ["Red", "Green", "Blue"],
                BitsPerSample = 8,
                Epsg = 2154,
                CrsName = "RGF93 v1 / Lambert-93",
                GeoTransform = [x, 0.05, 0, y, 0, -0.05],
                Resolution = 0.05,
                Compression = "JPEG",
                FootprintGeoJson = footprint,
                Bounds = new GeoBox(lon, lat - 0.0018, lon + 0.0027, lat),
                NativeExtent = [x, y - 200, x + 200, y],
                GeoreferenceSource = "GeoTIFF",
                CloudOptimized = i % 2 == 0,
                ConformityHints = [],
                ScanNumber = 1,
                ScannedAt = scanned,
            };
        }
        Samples.Add((count, LiveHeap()));
    }

    public Task<long> CountAsync(string storageKey1, string startPath1, TileQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult((long)count);

    public Task<(DateTimeOffset? First, DateTimeOffset? Last)> GetModifiedRangeAsync(string storageKey1, string startPath1, CancellationToken cancellationToken = default) =>
        Task.FromResult<(DateTimeOffset?, DateTimeOffset?)>((new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)));

    public Task<IReadOnlyList<ScanRow>> ListRecentScansAsync(string storageKey1, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ScanRow>>([]);

    public Task<CatalogueVersion> GetVersionAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Scanning;

/// <summary>Builds the users' summary (nature, format, tiles, projection, weight, bands…) from the catalogue's groups.</summary>
public static class ScanSummaries
{
    public static ScanSummary Build(CatalogueSummary catalogue, DateTimeOffset completedAt)
    {
        var groups = catalogue.Groups;
        long dataFiles = groups.Sum(g => g.Count);
        long errors = groups.Sum(g => g.Errors);
        var readable = groups.Select(g => g with { Count = g.Count - g.Errors }).Where(g => g.Count > 0).ToList();
        string? format = Dominant(readable, g => g.Format);
        string? nature = Dominant(readable, g => g.Classification);
        var epsgGroup = readable.Where(g => g.Epsg is not null).GroupBy(g => (g.Epsg, g.CrsName))
            .OrderByDescending(g => g.Sum(x => x.Count)).FirstOrDefault();
        var bands = readable.Where(g => g.BandNames.Count > 0).GroupBy(g => string.Join('\u001f', g.BandNames), StringComparer.Ordinal)
            .OrderByDescending(g => g.Sum(x => x.Count)).FirstOrDefault()?.First().BandNames;
        bool raster = readable.Any(g => g.Classification is "PCRS raster" or "other raster");
        bool vector = readable.Any(g => g.Classification is "PCRS vector" or "other vector");
        return new ScanSummary(
            Nature: raster && vector ? "mixed" : nature ?? (dataFiles == 0 ? "empty" : "unknown"),
            Format: format,
            Tiles: dataFiles - errors,
            Epsg: epsgGroup?.Key.Epsg,
            Projection: epsgGroup?.Key.CrsName,
            TotalBytes: groups.Sum(g => g.Bytes),
            Bands: bands?.ToArray() ?? [],
            FilesScanned: catalogue.Files,
            Errors: errors,
            Directories: catalogue.Directories,
            CompletedAt: completedAt);
    }

    /// <summary>Merges the summaries of disjoint roots into one (for a storage with several start paths).</summary>
    public static CatalogueSummary Merge(IEnumerable<CatalogueSummary> parts)
    {
        var list = parts.ToList();
        return new CatalogueSummary(list.Sum(p => p.Files), list.Sum(p => p.Directories), list.SelectMany(p => p.Groups).ToList());
    }

    private static string? Dominant(IEnumerable<TileGroup> groups, Func<TileGroup, string?> key) =>
        groups.Where(g => key(g) is not null).GroupBy(key, StringComparer.Ordinal).OrderByDescending(g => g.Sum(x => x.Count)).FirstOrDefault()?.Key;
}
